# Shared by up.sh and down.sh: where the local cluster lives and how to tell
# its processes from everything else on the machine. Sourced, not run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=$ROOT/var/cluster
LOGS=$DIR/logs
BIN=$ROOT/.venv/bin

# PostgreSQL's newest installed server binaries (Debian keeps them off PATH).
pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$found" ] && command -v pg_config >/dev/null; then
    found=$(pg_config --bindir)
  fi
  echo "$found"
}
PG_BIN=${PG_BIN:-$(pg_bin)}

# PostgreSQL refuses to run as root: as root, its tools run as `postgres`.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Where the PostgreSQL data directories are: var/cluster/pg, unless the
# postgres user cannot reach it (a home directory closed to others), when
# up.sh falls back to /var/tmp keyed by this checkout's path and writes the
# choice to var/cluster/pgroot. The PID files stay in var/cluster either way.
pg_root() {
  if [ -s "$DIR/pgroot" ]; then
    cat "$DIR/pgroot"
  else
    echo "$DIR/pg"
  fi
}

# The PID in a pid file, if that process is alive and is the one we started
# (its command line holds `pattern`): a stale file or a reused PID is never
# taken for ours.
our_pid() {
  local file=$1 pattern=$2 pid
  [ -s "$file" ] || return 1
  pid=$(head -n 1 "$file" | tr -dc '0-9')
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern" || return 1
  echo "$pid"
}

# Every part of the cluster: name, pid file, what its command line holds.
# PostgreSQL's postmaster is named by its data directory.
parts() {
  local pg
  pg=$(pg_root)
  printf '%s\n' \
    "nginx $DIR/nginx.pid $DIR/nginx/nginx.conf" \
    "app1 $DIR/app1.pid $DIR/app1.pid" \
    "app2 $DIR/app2.pid $DIR/app2.pid" \
    "worker $DIR/worker.pid db_worker" \
    "redis $DIR/redis.pid redis-server" \
    "replica $DIR/replica.pid $pg/replica" \
    "primary $DIR/primary.pid $pg/primary"
}
