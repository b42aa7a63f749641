#!/usr/bin/env bash
# Static checks: clang-format (dry run), clang-tidy and cppcheck over the project's sources.
# Needs a configured build/ (for compile_commands.json): run scripts/build.sh build first.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mapfile -t sources < <(git ls-files 'src/*.cpp' 'bench/*.cpp')
mapfile -t all < <(git ls-files '*.cpp' '*.hpp')
status=0
echo "== clang-format"
if ! clang-format --dry-run --Werror "${all[@]}" >/dev/null 2>&1; then
  echo "clang-format: files differ from .clang-format (run clang-format -i)"; status=1
fi
echo "== clang-tidy"
printf '%s\n' "${sources[@]}" | xargs -P "${MLRT_JOBS:-2}" -n 8 clang-tidy -p build --quiet 2>/dev/null \
  | grep -E "warning:|error:" | sort -u | tee /tmp/mlrt-tidy.txt
[ -s /tmp/mlrt-tidy.txt ] && status=1
echo "== cppcheck"
cppcheck --quiet --std=c++20 --enable=warning,performance,portability --inline-suppr \
  --suppress=missingIncludeSystem '-DVS_EXTERNAL_API(x)=x' -DVS_CC= -I include -I src src bench 2>&1 | tee /tmp/mlrt-cppcheck.txt
[ -s /tmp/mlrt-cppcheck.txt ] && status=1
exit $status
