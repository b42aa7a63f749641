#!/usr/bin/env bash
# Installs mlrt from the build tree into a scratch prefix, then builds and runs a separate
# project against it with find_package(mlrt).
set -euo pipefail
build_dir="$1"; write_model="$2"; src="$(cd "$(dirname "$0")" && pwd)/project"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$write_model" "$work/model.onnx" conv 3 3 2 2
"$work/build/consumer" "$work/model.onnx"
