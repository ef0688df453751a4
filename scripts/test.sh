#!/usr/bin/env bash
# `npm test`: make sure the real peers are there (installing them on Debian as root), build, type-check, run
# every test file. A missing peer is an error naming it, never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! bash scripts/peers.sh check 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
    echo "== installing the Debian packages the tests use as real peers"
    bash scripts/peers.sh install
  fi
  bash scripts/peers.sh check # fails, naming what is missing and how to install it
fi

[ -d node_modules ] || npm ci
echo "== build (server and webmail) and type-check"
npm run build --silent
npx tsc -p tsconfig.test.json

echo "== tests"
mapfile -t files < <(find test -name '*.test.ts' | sort)
if [ "$#" -gt 0 ]; then files=("$@"); fi
exec node --import tsx --test --test-concurrency=2 "${files[@]}"
