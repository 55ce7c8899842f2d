#!/usr/bin/env bash
# Set-up for the VS Code end-to-end suite. Idempotent: a second run checks and returns
# in about a second. Needs only Debian's apt and the npm registry (no other downloads).
#
#   1. apt: chromium (the browser), ripgrep (stands in for @vscode/ripgrep's GitHub
#      download), libkrb5-dev + a C++ toolchain (code-server's native addons build from
#      source because their prebuilt downloads are not reachable). Only what is missing.
#   2. npm: code-server 4.100.3 + playwright-core from this folder's lockfile, into
#      test/e2e-vscode/node_modules. Skipped when the installed tree matches the lockfile
#      and this Node version (stamp in .cache/).
# Everything it keeps is inside the checkout: node_modules/ and .cache/ (both ignored).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="$HERE/.cache"
mkdir -p "$CACHE"

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
  echo "e2e setup: code-server 4.100.3 needs Node 20 (this is $(node -v))" >&2
  exit 1
fi

# 1. Debian packages, only the missing ones.
need=()
for p in chromium ripgrep libkrb5-dev g++ make python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
  as_root=$([ "$(id -u)" = 0 ] || echo sudo)
  echo "e2e setup: apt-get install ${need[*]}"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. code-server + playwright-core.
stamp="$CACHE/npm-installed"
want="$(sha256sum < "$HERE/package-lock.json" | cut -d' ' -f1) node-$(node -v)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$HERE/node_modules/code-server/package.json" ] && [ -f "$HERE/node_modules/playwright-core/package.json" ]; then
  echo "e2e setup: code-server and playwright-core are installed"
  exit 0
fi
rm -f "$stamp"

# @vscode/ripgrep (a code-server dependency) looks in $TMPDIR/vscode-ripgrep-cache-<version>/
# before it downloads from GitHub: seed that cache with Debian's rg, and point TMPDIR
# at .cache/tmp for the install so the cache stays in the checkout.
export TMPDIR="$CACHE/tmp"
RG_VERSION=1.15.11 # the @vscode/ripgrep that code-server 4.100.3 pins
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
rg_cache="$TMPDIR/vscode-ripgrep-cache-$RG_VERSION"
if [ ! -s "$rg_cache/$RG_ASSET" ]; then
  mkdir -p "$rg_cache"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$rg_cache/$RG_ASSET" -C "$staging" rg
  rm -rf "$staging"
fi

# code-server's postinstall refuses to run as root unless npm_config_unsafe_perm=true
# (npm warns "Unknown env config unsafe-perm" and still passes it on), and node-pty's
# postinstall runs `npx node-gyp`, which needs npm_config_yes=true when the npmrc says yes=false.
echo "e2e setup: npm ci (code-server builds its native modules: about a minute)"
cd "$HERE"
npm_config_unsafe_perm=true npm_config_yes=true npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
