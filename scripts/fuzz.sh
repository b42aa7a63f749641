#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for SECONDS (default 60).
# Seeds are generated here from the test models and, for the media target, with ffmpeg; anything
# a fuzzer finds lands in fuzz/regressions/<target>/, which the normal test suite replays.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
build="$root/build-fuzz"
cd "$root"
CC=clang CXX=clang++ MLRT_BUILD_TYPE=RelWithDebInfo bash scripts/build.sh "$build" -DMLRT_FUZZ=ON \
  -DMLRT_SANITIZE=address,undefined -DMLRT_BUILD_CLI=OFF -DMLRT_BUILD_VAPOURSYNTH=OFF \
  -DMLRT_BUILD_PYTHON=OFF

seeds="$build/seeds"; rm -rf "$seeds"; mkdir -p "$seeds"
i=0
for spec in "identity 3" "identity16 3" "conv 3 3 2 2" "conv 3 1 3 4" "split 3 5" "conv 1 1 1 1"; do
  "$build/tests/mlrt_write_test_model" "$seeds/m$i.onnx" $spec
  for knob in '\x00' '\x27' '\x65'; do printf "$knob" | cat - "$seeds/m$i.onnx" >"$seeds/s$i-$RANDOM"; done
  i=$((i + 1))
done
rm -f "$seeds"/m*.onnx
# Argument seeds: a few key/type/value byte strings (the target decodes any bytes).
printf '\x00\x05\x01\x10\x02\x00\x00\x00\x00\x00\x00\x00\x08\x00' >"$seeds/a0"
printf '\x02\x04\x04CUDA\x01\x06\x03' >"$seeds/a1"

# ncnn seeds: small networks (.param text, NUL, .bin) that convert, one layer type each.
python3 "$root/fuzz/ncnn_seeds.py" "$seeds"

# The media target is built when FFmpeg and zimg are there; its seeds are clips and images.
targets=(model_load fp16_convert args ncnn_import)
if [ -x "$build/fuzz/fuzz_media" ] && command -v ffmpeg >/dev/null; then
  bash scripts/media_seeds.sh "$build/media-seeds"
  targets+=(media)
else
  echo "== fuzz media: not run (no FFmpeg/zimg at build time, or no ffmpeg to make seeds)"
fi

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"; mkdir -p "$corpus"
  target_seeds="$seeds"; [ "$target" = media ] && target_seeds="$build/media-seeds"
  out="$root/fuzz/regressions/$target/"
  echo "== fuzz $target for ${seconds}s"
  if ! "$build/fuzz/fuzz_$target" "$corpus" "$target_seeds" "$root/fuzz/regressions/$target" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=6144 -max_len=65536 -artifact_prefix="$out" -print_final_stats=1 2>"$build/$target.log"; then
    status=1
    tail -n 40 "$build/$target.log"
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs" "$build/$target.log" || true
  echo "corpus: $(find "$corpus" -type f | wc -l) inputs"
done
exit $status
