#!/usr/bin/env bash
# Installs a pinned n8n into a git-ignored cache (.cache/n8n-<version>) and reuses it when present;
# prints the n8n binary. The Node.js that runs it is written to .cache/n8n-<version>/.runtime:
# the machine's Node (20) for n8n 2.8.x, Node 24 from the npm registry (scripts/install-node.sh)
# for the newest 2.x (which requires it) and for 1.123.x (whose isolated-vm builds only on Node ≥ 22).
# One dependency (xlsx) is fetched from outside the npm registry by n8n's own manifest, hence the
# override to its npm mirror.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version="${N8N_VERSION:-2.41.1}"
dir="$here/.cache/n8n-$version"
bin="$dir/node_modules/.bin/n8n"

# Run under `npm test`/`npm start`, npm exports its config (this project's ignore-scripts=true
# among it) as npm_config_* variables: n8n's install needs its scripts (sqlite3 builds natively).
while IFS='=' read -r name _; do
  case "$name" in npm_config_*|NPM_CONFIG_*) unset "$name" ;; esac
done < <(env)

case "$version" in
  2.8.*) runtime="$(command -v node)"; nodedir="" ;;
  *) nodedir="$(bash "$here/scripts/install-node.sh")"; runtime="$nodedir/bin/node" ;;
esac
# npm and node-gyp run on that Node and build native modules against its headers.
if [ -n "$nodedir" ]; then
  export PATH="$nodedir/bin:$PATH"
  export npm_config_nodedir="$nodedir"
fi

native_ok() { (cd "$dir" && "$runtime" -e "require('sqlite3')" >/dev/null 2>&1); }

if [ -x "$bin" ] && [ -f "$dir/.installed" ] && native_ok; then
  echo "$runtime" > "$dir/.runtime"
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
echo "installing n8n@$version into $dir on Node $("$runtime" --version) (first run only, a few minutes)..." >&2
# Install scripts off, then build only the native modules n8n needs (the Kafka client's build
# fails offline and is not needed).
(cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
for module in sqlite3 isolated-vm; do
  if [ -d "$dir/node_modules/$module" ]; then
    echo "building $module for Node $("$runtime" --version)..." >&2
    (cd "$dir" && npm rebuild "$module" --ignore-scripts=false >&2)
  fi
done
native_ok || { echo "n8n's sqlite3 does not load on $runtime; see the messages above" >&2; exit 1; }
echo "$runtime" > "$dir/.runtime"
touch "$dir/.installed"
echo "$bin"
