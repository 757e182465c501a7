#!/usr/bin/env bash
# Start one stopped part of a running cluster again, exactly as up.sh starts
# it (lib.sh): `deploy/cluster/start.sh app1|app2|redis`. Used by
# deploy/cluster/test.py after it kills a node or stops Redis. A part that is
# still running is left alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

[ -s "$DIR/env" ] || {
  echo "start.sh: no $DIR/env: make cluster-up first" >&2
  exit 1
}
load_app_env
part=${1:?usage: start.sh app1|app2|redis}
case "$part" in
  app1 | app2)
    if our_pid "$DIR/$part.pid" "$DIR/$part.pid" >/dev/null; then exit 0; fi
    if [ "$part" = app1 ]; then bind=${CLUSTER_APP1:-127.0.0.1:8101}; else bind=${CLUSTER_APP2:-127.0.0.1:8102}; fi
    rm -f "$DIR/$part.pid"
    start_node "$part" "$bind"
    for _ in $(seq 300); do
      our_pid "$DIR/$part.pid" "$DIR/$part.pid" >/dev/null && exit 0
      sleep 0.1
    done
    echo "start.sh: node $part did not start (see $LOGS/$part.log)" >&2
    exit 1
    ;;
  redis)
    if our_pid "$DIR/redis.pid" redis-server >/dev/null; then exit 0; fi
    port=$(sed -n 's#^REDIS_URL=redis://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$DIR/env")
    start_redis "${port:?no REDIS_URL in $DIR/env}"
    ;;
  *)
    echo "start.sh: unknown part $part (app1, app2 or redis)" >&2
    exit 2
    ;;
esac
