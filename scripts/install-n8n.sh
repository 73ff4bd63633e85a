#!/usr/bin/env bash
# Installs a pinned n8n into a git-ignored cache (.cache/n8n-<version>) and reuses it when present.
# n8n 2.8.4 is the newest release that runs on Node 20; one dependency (xlsx) is fetched from
# outside the npm registry by n8n's own manifest, hence the override to its npm mirror.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version="${N8N_VERSION:-2.8.4}"
dir="$here/.cache/n8n-$version"
bin="$dir/node_modules/.bin/n8n"

# Run under `npm test`/`npm start`, npm exports its config (this project's ignore-scripts=true
# among it) as npm_config_* variables: n8n's install needs its scripts (sqlite3 builds natively).
while IFS='=' read -r name _; do
  case "$name" in npm_config_*|NPM_CONFIG_*) unset "$name" ;; esac
done < <(env)

sqlite_ok() { (cd "$dir" && node -e "require('sqlite3')" >/dev/null 2>&1); }

if [ -x "$bin" ] && [ -f "$dir/.installed" ] && sqlite_ok; then
  echo "$bin"
  exit 0
fi
mkdir -p "$dir"
cat > "$dir/package.json" <<JSON
{
  "name": "n8n-cache",
  "private": true,
  "dependencies": { "n8n": "$version" },
  "overrides": { "xlsx": "npm:@e965/xlsx@0.20.3" }
}
JSON
echo "installing n8n@$version into $dir (first run only, a few minutes)..." >&2
(cd "$dir" && npm install --ignore-scripts=false --no-audit --no-fund --loglevel=error >&2)
if ! sqlite_ok; then
  echo "sqlite3 did not build during the install; rebuilding it..." >&2
  (cd "$dir" && npm rebuild sqlite3 --ignore-scripts=false >&2)
  sqlite_ok || { echo "n8n's sqlite3 still does not load; see the messages above" >&2; exit 1; }
fi
touch "$dir/.installed"
echo "$bin"
