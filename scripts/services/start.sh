#!/usr/bin/env bash
# Starts private PostgreSQL, Unleash and Prometheus on 127.0.0.1 for the tests, by PID under
# .services/, and writes their addresses to .services/env.json. Stop them with stop.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD/.services"
mkdir -p "$root"
PG_PORT=54329 UNLEASH_PORT=42429 PROM_PORT=19091
PGBIN=/usr/lib/postgresql/15/bin
TOKEN='*:*.lrg-test-admin-token'

up() { # url: answers 2xx (node, not curl: a new machine has Node but maybe not curl)
  node -e "fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$1"
}
wait_for() { # url, seconds
  for _ in $(seq 1 "$2"); do up "$1" && return 0; sleep 1; done
  echo "timed out waiting for $1 (logs in .services/)" >&2; return 1
}

# PostgreSQL: initdb refuses root, so the cluster belongs to the postgres user; fsync off (test data).
if [ ! -f "$root/pg/PG_VERSION" ]; then
  mkdir -p "$root/pg" && chown postgres "$root/pg"
  runuser -u postgres -- "$PGBIN/initdb" -D "$root/pg" --auth=trust -U postgres >/dev/null
fi
if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$root/pg" status >/dev/null 2>&1; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$root/pg" -l "$root/pg/server.log" -w \
    -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
fi
runuser -u postgres -- psql -h 127.0.0.1 -p $PG_PORT -U postgres -tc "select 1 from pg_database where datname='unleash'" | grep -q 1 \
  || runuser -u postgres -- psql -h 127.0.0.1 -p $PG_PORT -U postgres -c "create database unleash" >/dev/null

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
