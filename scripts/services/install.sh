#!/usr/bin/env bash
# Installs what the service-backed tests need: PostgreSQL 15 and Prometheus from Debian, and the
# pinned Unleash server (its own package.json and lockfile, not a dependency of the action).
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  # Root installs; a normal user with passwordless sudo (GitHub's runners) installs through it.
  if [ "$(id -u)" = 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else
    echo "The service tests need ${missing[*]} (Debian packages): sudo apt-get install ${missing[*]}, then run the tests again." >&2
    exit 1
  fi
  # The packages' own services are not used: the tests start private instances.
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Installing starts Debian's own PostgreSQL and Prometheus where systemd runs: not ours, stopped.
  "${as_root[@]}" systemctl stop prometheus postgresql >/dev/null 2>&1 || true
fi
[ -d services/unleash/node_modules/unleash-server ] || npm ci --prefix services/unleash --no-audit --no-fund --loglevel=error
