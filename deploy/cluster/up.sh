#!/usr/bin/env bash
# `make cluster-up`: a local, production-like cluster on loopback only.
#
#   nginx (the shipped site file)    127.0.0.1:$CLUSTER_PORT        (8080)
#   two gunicorn nodes, prod settings 127.0.0.1:8101, 127.0.0.1:8102
#   the task worker (db_worker)
#   PostgreSQL primary               127.0.0.1:5441
#   PostgreSQL streaming replica     127.0.0.1:5442 (hot standby, page reads)
#   Redis                            127.0.0.1:6391
#
# Everything is its own process, started here, with its PID file, log and
# data under var/cluster/: nothing of the machine's own PostgreSQL, Redis or
# nginx is used or touched, and `make cluster-down` stops exactly these.
# Every port can be moved with its variable (below). The primary's data
# persists between runs (a second `cluster-up` is quick); the replica is
# copied afresh from it each time. `make cluster-down CLUSTER_PURGE=1`
# deletes var/cluster/ after stopping.
#
# Plain HTTP by default; CLUSTER_TLS=1 serves https on the same port with a
# self-signed certificate, with production's secure cookies (curl -k).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

CLUSTER_PORT=${CLUSTER_PORT:-8080}
PRIMARY_PORT=${CLUSTER_PRIMARY_PORT:-5441}
REPLICA_PORT=${CLUSTER_REPLICA_PORT:-5442}
REDIS_PORT=${CLUSTER_REDIS_PORT:-6391}
APP1=${CLUSTER_APP1:-127.0.0.1:8101}
APP2=${CLUSTER_APP2:-127.0.0.1:8102}
# nginx connects to the nodes from this address (proxy_bind), and the nodes
# believe X-Forwarded-For from it alone.
export CLUSTER_PROXY_ADDRESS=127.0.0.2
CLUSTER_TLS=${CLUSTER_TLS:-0}
SCHEME=http
[ "$CLUSTER_TLS" = 1 ] && SCHEME=https
URL=$SCHEME://127.0.0.1:$CLUSTER_PORT
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

say() { printf 'cluster-up: %s\n' "$*"; }
die() {
  printf 'cluster-up: %s\n' "$*" >&2
  return 1
}

for tool in "$PG_BIN/initdb" "$PG_BIN/pg_ctl" "$PG_BIN/pg_basebackup" "$PG_BIN/psql" "$NGINX"; do
  [ -x "$tool" ] || die "$tool not found (apt-get install postgresql nginx-light redis-server)"
done
command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
[ -x "$BIN/gunicorn" ] || die "$BIN/gunicorn not found: make .venv/.installed first"

# Already up? All of it: say so and stop here. Part of it (an earlier run that
# failed or was half stopped): stop that part first.
running=()
while read -r name file pattern; do
  if our_pid "$file" "$pattern" >/dev/null; then running+=("$name"); fi
done < <(parts)
if [ ${#running[@]} -eq "$(parts | wc -l)" ]; then
  port=$(sed -n 's/^CLUSTER_PORT=//p' "$DIR/env" 2>/dev/null || true)
  if [ "$port" = "$CLUSTER_PORT" ]; then
    say "already running on $URL (make cluster-down to stop it)"
    exit 0
  fi
  die "already running on port ${port:-?}; make cluster-down first to move it to $CLUSTER_PORT"
elif [ ${#running[@]} -gt 0 ]; then
  say "stopping what an earlier run left behind: ${running[*]}"
  "$ROOT/deploy/cluster/down.sh"
fi

for port in "$CLUSTER_PORT" "$PRIMARY_PORT" "$REPLICA_PORT" "$REDIS_PORT" "${APP1##*:}" "${APP2##*:}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is already taken on 127.0.0.1; choose another (see deploy/cluster/up.sh)"
  fi
done

# From here on, a failure stops whatever this run had started.
finished=
failed() {
  local status=$?
  [ -z "$finished" ] && [ "$status" != 0 ] || return 0
  echo "cluster-up: failed (exit $status); logs are in $LOGS:" >&2
  for log in "$LOGS"/*.log "$(pg_root)"/*.log; do
    [ -s "$log" ] && { echo "--- $log" >&2; tail -n 15 "$log" >&2; }
  done
  "$ROOT/deploy/cluster/down.sh" >&2 || true
}
trap failed EXIT

started=$(date +%s)
mkdir -p "$DIR" "$LOGS" "$DIR/redis"
chmod 755 "$DIR"

# --- PostgreSQL: a primary and its streaming replica --------------------------
PG=$DIR/pg
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$DIR"; then
  # The postgres user cannot reach var/cluster (a parent directory closed to
  # others): the data directories go to /var/tmp, keyed by this checkout.
  PG=/var/tmp/aouad-cluster-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)
fi
echo "$PG" >"$DIR/pgroot"
mkdir -p "$PG"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG"; fi
chmod 700 "$PG"

if [ ! -s "$PG/primary/PG_VERSION" ]; then
  say "initdb the primary in $PG/primary"
  rm -rf "$PG/primary"
  as_postgres "$PG_BIN/initdb" -D "$PG/primary" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$LOGS/initdb.log" 2>&1
  cat >>"$PG/primary/postgresql.conf" <<EOF

# deploy/cluster/up.sh: loopback only, streaming to the replica.
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
wal_keep_size = '128MB'
hot_standby = on
include_if_exists = 'cluster.conf'
EOF
  # Trust, on loopback and the socket only (nothing else can connect).
  cat >"$PG/primary/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
local replication all trust
host replication all 127.0.0.1/32 trust
EOF
fi
# Port and socket directory, rewritten each run: ports may move between runs.
# The socket lives beside the data, never in /var/run/postgresql.
write_pg_conf() {
  as_postgres tee "$1/cluster.conf" >/dev/null <<EOF
port = $2
unix_socket_directories = '$PG'
EOF
}
write_pg_conf "$PG/primary" "$PRIMARY_PORT"
say "starting the primary on 127.0.0.1:$PRIMARY_PORT"
as_postgres "$PG_BIN/pg_ctl" -D "$PG/primary" -l "$PG/primary.log" -w -t 60 start >/dev/null
head -n 1 "$PG/primary/postmaster.pid" >"$DIR/primary.pid"

psql_primary() { "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }
if [ -z "$(psql_primary -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'aouad'")" ]; then
  psql_primary -d postgres -c "CREATE DATABASE aouad"
fi

# The replica: copied from the primary each run (seconds for a site this
# size), so it never depends on WAL the primary kept while it was down.
say "copying the replica (pg_basebackup -R) and starting it on 127.0.0.1:$REPLICA_PORT"
psql_primary -d postgres -tAc \
  "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'cluster_replica'" >/dev/null
as_postgres rm -rf "$PG/replica"
as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
  -D "$PG/replica" -R -X stream -C -S cluster_replica -c fast >"$LOGS/basebackup.log" 2>&1
write_pg_conf "$PG/replica" "$REPLICA_PORT"
as_postgres "$PG_BIN/pg_ctl" -D "$PG/replica" -l "$PG/replica.log" -w -t 60 start >/dev/null
head -n 1 "$PG/replica/postmaster.pid" >"$DIR/replica.pid"
for _ in $(seq 100); do
  streaming=$(psql_primary -d postgres -tAc "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
  [ "$streaming" -ge 1 ] && break
  sleep 0.1
done
[ "$streaming" -ge 1 ] || die "the replica is not streaming from the primary (see $PG/replica.log)"

# --- Redis ------------------------------------------------------------------------
say "starting Redis on 127.0.0.1:$REDIS_PORT"
start_redis "$REDIS_PORT"

# --- The nodes' environment: production settings --------------------------------
if [ ! -s "$DIR/secret" ]; then
  (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$DIR/secret")
fi
# Monitoring's token: /readyz tells its details only to a request bearing it.
if [ ! -s "$DIR/health-token" ]; then
  (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$DIR/health-token")
fi
SECURE=0
[ "$CLUSTER_TLS" = 1 ] && SECURE=1
(
  umask 077
  cat >"$DIR/env" <<EOF
# Generated by deploy/cluster/up.sh: the nodes' and the worker's environment.
DJANGO_SETTINGS_MODULE=aouad.settings.prod
SECRET_KEY=$(cat "$DIR/secret")
HEALTH_TOKEN=$(cat "$DIR/health-token")
ALLOWED_HOSTS=127.0.0.1,localhost
SITE_URL=$URL
CSRF_TRUSTED_ORIGINS=$URL,$SCHEME://localhost:$CLUSTER_PORT
DATABASE_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/aouad
DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/aouad
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
TRUSTED_PROXIES=$CLUSTER_PROXY_ADDRESS
GUNICORN_FORWARDED_ALLOW_IPS=$CLUSTER_PROXY_ADDRESS
MAIL_BACKEND=outbox.console.EmailBackend
TAKEDOWN_EMAIL=takedown@example.com
LOG_FORMAT=json
BEHIND_TLS_PROXY=$SECURE
SESSION_COOKIE_SECURE=$SECURE
CSRF_COOKIE_SECURE=$SECURE
WEB_CONCURRENCY=2
CLUSTER_PORT=$CLUSTER_PORT
EOF
)
# The nodes, the worker and the commands below see this environment and
# nothing of the caller's (a DATABASE_URL or SECURE_SSL_REDIRECT exported in
# the shell would otherwise leak in).
# (load_app_env and app: lib.sh)
load_app_env

say "migrate, collectstatic, seed, schedule_tasks (log: $LOGS/setup.log)"
{
  app "$BIN/python" manage.py migrate --noinput
  app "$BIN/python" manage.py collectstatic --noinput -v 0
  app "$BIN/python" manage.py seed
  app "$BIN/python" manage.py schedule_tasks
} >"$LOGS/setup.log" 2>&1

# --- Two gunicorn nodes and the task worker, each in its own session -------------
# start_node: lib.sh (deploy/cluster/start.sh restarts one node the same way).
say "starting the nodes on $APP1 and $APP2, and the task worker"
start_node app1 "$APP1"
start_node app2 "$APP2"
# The worker writes its own PID (db_worker has no --pid): exactly the process
# that setsid made a session leader, whatever forked on the way.
app setsid bash -c 'echo $$ >"$0" && exec "$@"' "$DIR/worker.pid" \
  "$BIN/python" manage.py db_worker --no-reload >>"$LOGS/worker.log" 2>&1 </dev/null &
for _ in $(seq 300); do
  if our_pid "$DIR/app1.pid" "$DIR/app1.pid" >/dev/null &&
    our_pid "$DIR/app2.pid" "$DIR/app2.pid" >/dev/null; then
    break
  fi
  sleep 0.1
done
our_pid "$DIR/app1.pid" "$DIR/app1.pid" >/dev/null || die "node app1 did not start (see $LOGS/app1.log)"
our_pid "$DIR/app2.pid" "$DIR/app2.pid" >/dev/null || die "node app2 did not start (see $LOGS/app2.log)"
our_pid "$DIR/worker.pid" db_worker >/dev/null || die "the task worker did not start (see $LOGS/worker.log)"

# --- nginx at the edge ------------------------------------------------------------
if [ "$CLUSTER_TLS" = 1 ] && [ ! -s "$DIR/tls/privkey.pem" ]; then
  mkdir -p "$DIR/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$DIR/tls/privkey.pem" -out "$DIR/tls/fullchain.pem" >/dev/null 2>&1
fi
"$BIN/python" deploy/cluster/nginx_conf.py "$DIR/nginx" "$CLUSTER_PORT" "$ROOT/staticfiles" "$APP1" "$APP2"
if [ "$(id -u)" = 0 ]; then
  # The workers (www-data) write request bodies and buffered responses here.
  worker_user=$(sed -n 's/^user \([^ ;]*\).*/\1/p' "$DIR/nginx/nginx.conf")
  chown -R "$worker_user" "$DIR"/nginx/{body,proxy,fastcgi,uwsgi,scgi}
fi
"$NGINX" -q -t -p "$DIR/nginx" -e "$LOGS/nginx-error.log" -c "$DIR/nginx/nginx.conf"
"$NGINX" -p "$DIR/nginx" -e "$LOGS/nginx-error.log" -c "$DIR/nginx/nginx.conf" </dev/null >>"$LOGS/nginx-error.log" 2>&1

# Ready means "ok", not merely answering: the worker has also caught up with
# the mail seeding queued (news published in the past is overdue at once).
say "waiting for $URL/readyz to say ok"
ready=
for _ in $(seq 300); do
  if curl -fsS -k "$URL/readyz" 2>/dev/null | grep -q '"status": "ok"'; then
    ready=1
    break
  fi
  sleep 0.1
done
health=(-H "Authorization: Bearer $(cat "$DIR/health-token")")
[ -n "$ready" ] || die "$URL/readyz did not say ok in 30 s: $(curl -sS -k "${health[@]}" "$URL/readyz" 2>&1) (see $LOGS/)"
finished=1

cat <<EOF
cluster-up: ready in $(($(date +%s) - started)) s
  site      $URL/  (readyz: $URL/readyz)
  nodes     http://$APP1 http://$APP2  (gunicorn, aouad.settings.prod)
  primary   postgres://postgres@127.0.0.1:$PRIMARY_PORT/aouad
  replica   postgres://postgres@127.0.0.1:$REPLICA_PORT/aouad  (hot standby, page reads)
  redis     redis://127.0.0.1:$REDIS_PORT/0
  env       $DIR/env  (set -a; . $DIR/env; set +a; .venv/bin/python manage.py ...)
  pids      $DIR/{nginx,app1,app2,worker,redis,replica,primary}.pid
  logs      $LOGS/  and $PG/{primary,replica}.log
  stop      make cluster-down
EOF
