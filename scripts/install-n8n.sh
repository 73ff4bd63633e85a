#!/usr/bin/env bash
# Installs a pinned n8n into a git-ignored cache (.cache/n8n-<version>) and reuses it when present.
# n8n 2.8.4 is the newest release that runs on Node 20; one dependency (xlsx) is fetched from
# outside the npm registry by n8n's own manifest, hence the override to its npm mirror.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version="${N8N_VERSION:-2.8.4}"
dir="$here/.cache/n8n-$version"
bin="$dir/node_modules/.bin/n8n"
if [ -x "$bin" ] && [ -f "$dir/.installed" ]; then
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
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error >&2)
touch "$dir/.installed"
echo "$bin"
