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

# The nodes' environment, var/cluster/env (written by up.sh), and nothing of
# the caller's: `app CMD` runs CMD in it (a DATABASE_URL or SECURE_SSL_REDIRECT
# exported in the shell would otherwise leak in). Run from $ROOT.
load_app_env() {
  mapfile -t APP_ENV < <(grep -v '^#' "$DIR/env")
}
app() { env -i PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 "${APP_ENV[@]}" "$@"; }

# One gunicorn node in its own session (its PID file names it), from $ROOT,
# after load_app_env. Used by up.sh and deploy/cluster/start.sh.
start_node() {
  local name=$1 bind=$2
  # gunicorn (27 here) opens a control socket, by default ~/.gunicorn/gunicorn.ctl:
  # one for every gunicorn of this user. Each node's is its own, in var/cluster.
  app GUNICORN_BIND="$bind" setsid "$BIN/gunicorn" -c deploy/gunicorn.conf.py \
    --pid "$DIR/$name.pid" aouad.wsgi >>"$LOGS/$name.log" 2>&1 </dev/null &
}

# Redis on 127.0.0.1:$1, daemonized with its PID file; returns once it answers.
start_redis() {
  local port=$1
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes \
    --pidfile "$DIR/redis.pid" --dir "$DIR/redis" --logfile "$LOGS/redis.log" \
    --save "" --appendonly no
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null
}
