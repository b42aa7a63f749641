#!/usr/bin/env bash
# Sets up, builds and runs every test: the main suite, then the suite under ASan+UBSan
# (LeakSanitizer included), the multi-stream tests under TSan, and each fuzz target.
# MLRT_SKIP_SANITIZERS=1 runs only the main suite (for quick local iterations).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh

export MLRT_CACHE_DIR="${MLRT_CACHE_DIR:-$root/build/test-cache}"
[ -f /opt/vs/env.sh ] && source /opt/vs/env.sh   # a local VapourSynth, when one is installed

echo "== main suite"
bash scripts/build.sh build
(cd build && ctest --output-on-failure -j2)

echo "== Python suites (command line, VapourSynth plugin)"
python_suites=()
for d in tests/cli tests/vapoursynth; do [ -d "$d" ] && python_suites+=("$d"); done
if [ "${#python_suites[@]}" -gt 0 ]; then
  if ! /usr/bin/python3 -c 'import vapoursynth' 2>/dev/null; then
    echo "note: VapourSynth is not installed here; the plugin tests will be skipped"
  fi
  rc=0
  MLRT_BUILD_DIR="$root/build" /usr/bin/python3 -m pytest -q -rs "${python_suites[@]}" || rc=$?
  # 5 means pytest collected nothing (every suite skipped): not a failure of mlrt.
  [ "$rc" -eq 0 ] || [ "$rc" -eq 5 ] || exit "$rc"
fi

echo "== static analysis (clang-format, clang-tidy, cppcheck)"
bash scripts/lint.sh

if [ -z "${MLRT_SKIP_SANITIZERS:-}" ]; then
  echo "== ASan + UBSan + LeakSanitizer"
  MLRT_BUILD_TYPE=RelWithDebInfo bash scripts/build.sh build-asan -DMLRT_SANITIZE=address,undefined \
    -DMLRT_BUILD_BENCH=OFF -DMLRT_BUILD_CLI=OFF -DMLRT_BUILD_VAPOURSYNTH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     LSAN_OPTIONS=suppressions="$root/tests/sanitizers/lsan.supp" \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure)

  echo "== TSan (multi-stream engine)"
  MLRT_BUILD_TYPE=RelWithDebInfo bash scripts/build.sh build-tsan -DMLRT_SANITIZE=thread \
    -DMLRT_BUILD_BENCH=OFF -DMLRT_BUILD_CLI=OFF -DMLRT_BUILD_VAPOURSYNTH=OFF
  (cd build-tsan && export TSAN_OPTIONS="halt_on_error=1 suppressions=$root/tests/sanitizers/tsan.supp" &&
     ./tests/mlrt_engine_tests --gtest_filter='*Stream*:*Concurren*:Faults*' && ./tests/mlrt_stress 200)

  echo "== fuzzing (libFuzzer, ${MLRT_FUZZ_SECONDS:-60} s per target)"
  bash scripts/fuzz.sh "${MLRT_FUZZ_SECONDS:-60}"
fi
