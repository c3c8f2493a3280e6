#!/usr/bin/env bash
# Fails when the committed artifacts in contracts/artifacts differ from a fresh compilation of the sources.
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/build.sh" --check
