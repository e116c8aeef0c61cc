#!/usr/bin/env bash
# Stops what start.sh started (this checkout's .services/), by PID.
cd "$(dirname "$0")/../.."
root="$PWD/.services"
for name in unleash prometheus; do
  if [ -f "$root/$name.pid" ]; then kill "$(cat "$root/$name.pid")" 2>/dev/null || true; rm -f "$root/$name.pid"; fi
done
if [ -f "$root/pg/PG_VERSION" ]; then
  # The cluster's own version's pg_ctl.
  pg_ctl="/usr/lib/postgresql/$(cat "$root/pg/PG_VERSION")/bin/pg_ctl"
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$pg_ctl" -D "$root/pg" -m fast stop >/dev/null 2>&1 || true
  else
    "$pg_ctl" -D "$root/pg" -m fast stop >/dev/null 2>&1 || true
  fi
fi
rm -f "$root/env.json" "$root/ports"
