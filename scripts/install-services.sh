#!/usr/bin/env bash
# Installs what the queue-mode end-to-end test runs on loopback: PostgreSQL and Redis, from Debian's
# packages, when they are missing. Prints the folders of their binaries (postgres, redis-server).
# Nothing is started or enabled here: the test starts its own servers in temporary folders.
set -euo pipefail
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
missing=()
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} from Debian's packages (first run only)..." >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  # Debian's packages start their own servers on the default ports; the test never uses those.
  "${sudo_cmd[@]}" apt-get update -qq >&2
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
echo "postgres=$(pg_bin)"
echo "redis=$(dirname "$(command -v redis-server)")"
