#!/usr/bin/env bash
# `npm run test:e2e`: the set-up (idempotent), the .vsix as users get it (`npm run package`),
# then both suites in a real VS Code, one after the other. Prints what each part took.
# Env: E2E_VSIX=<file> tests that .vsix and skips the build; E2E_RESULTS, E2E_KEEP=1,
# CHROMIUM_BIN, CODE_SERVER_BIN as harness.mjs says.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RESULTS="${E2E_RESULTS:-$HERE/results}"
export E2E_RESULTS="$RESULTS"
[ "$RESULTS" != "$HERE/results" ] || rm -rf "$RESULTS" # only our own folder
mkdir -p "$RESULTS"

t0=$(date +%s)
"$HERE/setup.sh"
t1=$(date +%s)
if [ -z "${E2E_VSIX:-}" ]; then
  # The suites read their expectations from the CLI (dist/), and test the packaged .vsix.
  (cd "$ROOT" && npx tsc -b && npm run --silent package >"$RESULTS/package.log" 2>&1) || {
    tail -40 "$RESULTS/package.log" >&2
    echo "e2e: building the .vsix failed (log: $RESULTS/package.log)" >&2
    exit 1
  }
fi
t2=$(date +%s)
status=0
(cd "$HERE" && node --test --test-concurrency=1 --test-reporter=spec extension.test.mjs notebook.test.mjs) || status=$?
t3=$(date +%s)
echo "e2e: setup $((t1 - t0)) s, build + package $((t2 - t1)) s, suites $((t3 - t2)) s (screenshots, logs, metrics: ${RESULTS#"$ROOT/"})"
exit $status
