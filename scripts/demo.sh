#!/usr/bin/env bash
# mlrt in one command: set up, build, make a sample clip, upscale it 2x with a model mlrt
# writes itself, and say where the result is and how fast it went. Needs no downloads beyond
# what scripts/setup.sh fetches, and no model files.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MLRT_DEMO_BUILD_DIR:-$root/build}"
out="$root/out/demo"
say() { printf '[demo] %s\n' "$*"; }
die() { printf '[demo] error: %s\n' "$*" >&2; exit 1; }

"$root/scripts/setup.sh"

say "building mlrt (Release) in ${build#"$root"/}"
generator=()
# An existing build directory keeps its generator; a new one gets Ninja when there is one.
if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
# Only the command line and the library under it: the demo does not need the test suite.
cmake --build "$build" -j2 --target mlrt_cli
mlrt="$build/src/cli/mlrt"
[ -x "$mlrt" ] || die "the build did not produce $mlrt"

mkdir -p "$out"
say "making a 2 s 320x180 24 fps sample clip"
"$mlrt" make-clip --quiet --size 320x180 --fps 24 --duration 2 "$out/sample.mkv"
say "writing the built-in 2x upscaler model"
"$mlrt" make-model --quiet --kind upscale2x "$out/upscale2x.onnx"

say "upscaling 2x"
log="$out/run.log"
"$mlrt" run "$out/upscale2x.onnx" "$out/sample.mkv" "$out/sample_2x.mkv" 2>&1 | tee "$log" >&2
fps=$(sed -n 's/.* \([0-9.]*\) fps$/\1/p' "$log" | tail -1)

say "input:  $out/sample.mkv (320x180)"
say "output: $out/sample_2x.mkv (640x360, FFV1 lossless in Matroska)"
say "speed:  ${fps:-?} frames per second"
say "play it with e.g.: ffplay '$out/sample_2x.mkv'   (or: mpv '$out/sample_2x.mkv')"
