#!/usr/bin/env bash
# Starts private PostgreSQL, Unleash and Prometheus on 127.0.0.1 for the tests, by PID under
# .services/ (of this checkout), on free ports (or LRG_PG_PORT, LRG_UNLEASH_PORT, LRG_PROM_PORT),
# and writes their addresses to .services/env.json. Stop them with stop.sh. Runs as root (the
# cluster then belongs to the postgres user: initdb refuses root) or as any other user.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD/.services"
mkdir -p "$root"
# The newest PostgreSQL installed (Debian 12: 15, Ubuntu 24.04: 16).
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
TOKEN='*:*.lrg-test-admin-token'

free_port() { # a port the kernel hands out now (another checkout's services hold theirs)
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
# Ports of services still running from an earlier start are kept; otherwise free ones are chosen.
if [ -f "$root/ports" ]; then . "$root/ports"; fi
PG_PORT=${LRG_PG_PORT:-${PG_PORT:-$(free_port)}}
UNLEASH_PORT=${LRG_UNLEASH_PORT:-${UNLEASH_PORT:-$(free_port)}}
PROM_PORT=${LRG_PROM_PORT:-${PROM_PORT:-$(free_port)}}
printf 'PG_PORT=%s\nUNLEASH_PORT=%s\nPROM_PORT=%s\n' "$PG_PORT" "$UNLEASH_PORT" "$PROM_PORT" >"$root/ports"

as_pg() { # PostgreSQL's tools as the cluster's owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
up() { # url: answers 2xx (node, not curl: a new machine has Node but maybe not curl)
  node -e "fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$1"
}
wait_for() { # url, seconds
  for _ in $(seq 1 "$2"); do up "$1" && return 0; sleep 1; done
  echo "timed out waiting for $1 (logs in .services/)" >&2; return 1
}

# PostgreSQL; fsync off (test data); its socket in /tmp is named by its port, so checkouts never share one.
if [ ! -f "$root/pg/PG_VERSION" ]; then
  mkdir -p "$root/pg"
  if [ "$(id -u)" = 0 ]; then chown postgres "$root/pg"; fi
  as_pg "$PGBIN/initdb" -D "$root/pg" --auth=trust -U postgres >/dev/null
fi
if ! as_pg "$PGBIN/pg_ctl" -D "$root/pg" status >/dev/null 2>&1; then
  as_pg "$PGBIN/pg_ctl" -D "$root/pg" -l "$root/pg/server.log" -w \
    -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
fi
as_pg psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "select 1 from pg_database where datname='unleash'" | grep -q 1 \
  || as_pg psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "create database unleash" >/dev/null

# Unleash, with an admin token seeded at start.
if ! up "http://127.0.0.1:$UNLEASH_PORT/health"; then
  DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/unleash" DATABASE_SSL=false HTTP_PORT=$UNLEASH_PORT HTTP_HOST=127.0.0.1 \
    INIT_ADMIN_API_TOKENS="$TOKEN" LOG_LEVEL=warn \
    nohup node services/unleash/node_modules/unleash-server/dist/server.js >"$root/unleash.log" 2>&1 &
  echo $! >"$root/unleash.pid"
  wait_for "http://127.0.0.1:$UNLEASH_PORT/health" 90
fi

# Prometheus, with canary/control history loaded before start (OpenMetrics -> TSDB blocks).
if ! up "http://127.0.0.1:$PROM_PORT/-/ready"; then
  rm -rf "$root/prom" && mkdir -p "$root/prom"
  node scripts/services/prometheus-history.mjs >"$root/history.om"
  promtool tsdb create-blocks-from openmetrics "$root/history.om" "$root/prom" >/dev/null
  printf 'global:\n  scrape_interval: 1h\nscrape_configs: []\n' >"$root/prometheus.yml"
  # The history ends when it is written; a 3 h lookback keeps it the latest value however long the suite runs.
  nohup prometheus --config.file="$root/prometheus.yml" --storage.tsdb.path="$root/prom" \
    --storage.tsdb.retention.time=10y --query.lookback-delta=3h --web.listen-address=127.0.0.1:$PROM_PORT >"$root/prometheus.log" 2>&1 &
  echo $! >"$root/prometheus.pid"
  wait_for "http://127.0.0.1:$PROM_PORT/-/ready" 60
fi

cat >"$root/env.json" <<JSON
{ "unleash": { "url": "http://127.0.0.1:$UNLEASH_PORT", "token": "$TOKEN" }, "prometheus": { "url": "http://127.0.0.1:$PROM_PORT" } }
JSON
echo "services up: PostgreSQL :$PG_PORT, Unleash :$UNLEASH_PORT, Prometheus :$PROM_PORT"
