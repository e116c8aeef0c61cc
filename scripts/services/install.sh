#!/usr/bin/env bash
# Installs what the service-backed tests need: PostgreSQL 15 and Prometheus from Debian, and the
# pinned Unleash server (its own package.json and lockfile, not a dependency of the action).
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "The service tests need ${missing[*]} (Debian packages): sudo apt-get install ${missing[*]}, then run the tests again." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The packages' own services are not used (no systemd here): the tests start private instances.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -d services/unleash/node_modules/unleash-server ] || npm ci --prefix services/unleash --no-audit --no-fund --loglevel=error
