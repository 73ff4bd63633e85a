#!/usr/bin/env bash
# Installs what the editor's end-to-end test drives: Debian's Chromium, when it is missing (the test
# uses playwright-core from npm, which downloads no browser). Prints the browser's path.
set -euo pipefail
browser=/usr/bin/chromium
if [ ! -x "$browser" ]; then
  echo "installing chromium from Debian's packages (first run only)..." >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq >&2
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
fi
echo "chromium=$browser"
