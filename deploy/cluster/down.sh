#!/usr/bin/env bash
# `make cluster-down`: stop what `make cluster-up` started, and nothing else.
#
# Each process is found by its PID file under var/cluster/ and is signalled
# only if it is still the process that file names (its command line holds the
# cluster's own path or name): a stale file or a reused PID is left alone,
# and parts already stopped are skipped. The edge stops first, then the nodes
# and the worker, Redis, and PostgreSQL last (the replica, then the primary).
# Data stays (the primary's database, the secret key), so the next
# `make cluster-up` is quick; CLUSTER_PURGE=1 deletes var/cluster/ afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

say() { printf 'cluster-down: %s\n' "$*"; }

# Wait up to $2 seconds for process $1 to exit.
wait_gone() {
  local pid=$1 seconds=$2 i
  for ((i = 0; i < seconds * 10; i++)); do
    [ -e "/proc/$pid" ] || return 0
    # A zombie of ours would never go away by waiting: it has exited.
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && return 0
    sleep 0.1
  done
  return 1
}

# Signal one part, wait for it, and be firm if it will not go.
stop() {
  local name=$1 file=$2 pattern=$3 signal=$4 seconds=$5 pid
  if ! pid=$(our_pid "$file" "$pattern"); then
    rm -f "$file"
    return 0
  fi
  say "stopping $name (pid $pid)"
  kill "-$signal" "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$seconds"; then
    say "$name (pid $pid) did not stop in $seconds s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || true
  fi
  rm -f "$file"
}

stop_postgres() {
  local name=$1 data pid
  data=$(pg_root)/$name
  if ! pid=$(our_pid "$DIR/$name.pid" "$data"); then
    rm -f "$DIR/$name.pid"
    return 0
  fi
  say "stopping the $name (pid $pid)"
  if [ -x "$PG_BIN/pg_ctl" ] && [ -d "$data" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null || true
  fi
  # pg_ctl could not (no data directory?): SIGINT is its fast shutdown.
  if [ -e "/proc/$pid" ]; then
    kill -INT "$pid" 2>/dev/null || true
    wait_gone "$pid" 30 || kill -QUIT "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/$name.pid"
}

[ -d "$DIR" ] || {
  say "nothing to stop ($DIR does not exist)"
  exit 0
}

# nginx: QUIT lets it finish the requests in flight.
stop nginx "$DIR/nginx.pid" "$DIR/nginx/nginx.conf" QUIT 15
# The nodes and the worker at once: gunicorn finishes its requests within its
# graceful_timeout (30 s), db_worker the task at hand.
stop app1 "$DIR/app1.pid" "$DIR/app1.pid" TERM 35 &
stop app2 "$DIR/app2.pid" "$DIR/app2.pid" TERM 35 &
stop worker "$DIR/worker.pid" db_worker TERM 60 &
wait
# Redis keeps nothing here (--save ""): TERM is its clean shutdown.
stop redis "$DIR/redis.pid" redis-server TERM 15
stop_postgres replica
stop_postgres primary

if [ "${CLUSTER_PURGE:-0}" = 1 ]; then
  pg=$(pg_root)
  say "deleting $DIR${pg:+ and $pg}"
  case "$pg" in "$DIR"/* | /var/tmp/aouad-cluster-*) rm -rf "$pg" ;; esac
  rm -rf "$DIR"
fi
say "stopped"
