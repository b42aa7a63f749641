#!/usr/bin/env bash
# Configures and builds one build tree. Usage: scripts/build.sh BUILD_DIR [cmake args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$1"; shift
jobs="${MLRT_JOBS:-2}"
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="${MLRT_BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build "$dir" -j "$jobs"
