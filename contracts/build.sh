#!/usr/bin/env bash
# Compiles the Solidity sources under contracts/src and contracts/test with the solc pinned in tools/package.json
# (solcjs 0.8.30 from npm, installed with `npm ci --prefix tools` when missing) through its standard-JSON interface,
# and writes one artifact per contract to contracts/artifacts/<Contract>.json (abi, bytecode, deployedBytecode).
#
# Compiler settings (defined in build.js, copied into artifacts/build-info.json):
#   evmVersion prague (the EVM of op-revm's Isthmus/Jovian/Interop specs), optimizer on with 10000 runs,
#   no metadata hash appended to the bytecode.
#
# Usage: contracts/build.sh [OUT_DIR]      (default OUT_DIR: contracts/artifacts)
#        contracts/build.sh --check        recompile into a temporary folder; fail if the committed artifacts differ
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
SOLCJS="$ROOT/tools/node_modules/.bin/solcjs"
EXPECTED_VERSION="0.8.30"

if [ ! -x "$SOLCJS" ]; then
  npm ci --no-audit --no-fund --prefix "$ROOT/tools" >&2
fi
VERSION="$("$SOLCJS" --version)"
case "$VERSION" in
  "$EXPECTED_VERSION"+*) ;;
  *) echo "expected solc $EXPECTED_VERSION, found $VERSION" >&2; exit 1 ;;
esac

compile() {
  local out="$1" work
  work="$(mktemp -d)"
  # Files rather than pipes: solcjs exits before a large output has drained through a pipe.
  node "$HERE/build.js" input >"$work/input.json"
  "$SOLCJS" --standard-json <"$work/input.json" >"$work/output.json"
  rm -rf "$out"
  node "$HERE/build.js" write "$out" "$VERSION" <"$work/output.json"
  rm -rf "$work"
}

if [ "${1:-}" = "--check" ]; then
  TMP="$(mktemp -d)"
  trap 'rm -rf "$TMP"' EXIT
  compile "$TMP/artifacts"
  if diff -r "$HERE/artifacts" "$TMP/artifacts"; then
    echo "artifacts are up to date"
  else
    echo "committed artifacts differ from a fresh build: run contracts/build.sh and commit the result" >&2
    exit 1
  fi
else
  compile "${1:-$HERE/artifacts}"
  echo "wrote artifacts to ${1:-$HERE/artifacts}" >&2
fi
