#!/usr/bin/env bash
# Static checks: clang-format (dry run) over every tracked C++ file, then clang-tidy and cppcheck
# over exactly the project translation units that the build configured (build/compile_commands.json,
# so a front end that was not configured, e.g. the plugin without a VapourSynth SDK, is not linted).
# Every finding is printed; a missing tool or compilation database is an error, never a pass.
# Usage: scripts/lint.sh [BUILD_DIR]   (default: build)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${1:-build}"
db="$build/compile_commands.json"

die() { printf 'lint: error: %s\n' "$*" >&2; exit 2; }
for tool in clang-format clang-tidy cppcheck python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup.sh installs it)"
done
[ -f "$db" ] || die "$db is missing: configure the build first (scripts/build.sh $build)"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The project's own translation units in the database: src/ and fuzz/ (tests are
# checked by the compiler's warnings and by running them).
python3 - "$db" "$root" >"$work/units" <<'PY' || die "cannot read $db"
import json, os, sys
db, root = sys.argv[1], os.path.realpath(sys.argv[2])
units = set()
for entry in json.load(open(db)):
    path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
    rel = os.path.relpath(path, root)
    if rel.split(os.sep)[0] in ("src", "fuzz"):
        units.add(rel)
print("\n".join(sorted(units)))
PY
mapfile -t units <"$work/units"
[ "${#units[@]}" -gt 0 ] || die "$db lists none of the project's sources"
mapfile -t all < <(git ls-files '*.cpp' '*.hpp')
status=0

echo "== clang-format (${#all[@]} files)"
if ! clang-format --dry-run --Werror "${all[@]}" 2>"$work/format"; then
  grep -E "error:" "$work/format" | sed 's/^/clang-format: /'
  echo "clang-format: files differ from .clang-format (run clang-format -i on them)"
  status=1
fi

echo "== clang-tidy (${#units[@]} translation units)"
printf '%s\n' "${units[@]}" | xargs -P "${MLRT_JOBS:-2}" -n 4 clang-tidy -p "$build" --quiet \
  >"$work/tidy" 2>"$work/tidy.err"
tidy_rc=$?
grep -E "(warning|error):" "$work/tidy" | sort -u | tee "$work/tidy.findings"
if [ -s "$work/tidy.findings" ]; then
  status=1
elif [ "$tidy_rc" -ne 0 ]; then
  # clang-tidy failed without a finding on stdout: show why (for example a compiler error).
  cat "$work/tidy.err"; status=1
fi

echo "== cppcheck (${#units[@]} translation units)"
filters=(); for u in "${units[@]}"; do filters+=("--file-filter=$u"); done
# The VapourSynth SDK's export macros, which cppcheck cannot expand from the SDK headers.
cppcheck --quiet --project="$db" "${filters[@]}" --std=c++20 '-DVS_EXTERNAL_API(x)=x' -DVS_CC= \
  --enable=warning,performance,portability --inline-suppr --suppress=missingIncludeSystem \
  --suppress='*:*/.deps/*' --suppress='*:/usr/*' --error-exitcode=1 2>&1 | tee "$work/cppcheck"
cppcheck_rc=${PIPESTATUS[0]}
if [ -s "$work/cppcheck" ] || [ "$cppcheck_rc" -ne 0 ]; then status=1; fi

[ "$status" -eq 0 ] && echo "lint: clean (${#all[@]} files formatted, ${#units[@]} units checked)"
exit $status
