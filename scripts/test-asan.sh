#!/usr/bin/env bash
# `make test-asan`: builds everything (regpoll, plugins, tests) with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer in build-asan/, and runs the tests there. A finding fails
# the test that ran into it (UBSan stops at the first one; LeakSanitizer reports at exit).
#   scripts/test-asan.sh [JOBS]
# ASAN_TESTS=REGEX runs only the tests whose names match (ctest -R); ASAN_EXCLUDE=REGEX
# leaves some out (ctest -E).
set -euo pipefail
jobs=${1:-$(nproc)}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-asan
for tool in clang clang++ cmake ninja; do
  command -v "$tool" >/dev/null || { echo "test-asan: $tool not found (scripts/install-deps.sh)" >&2; exit 2; }
done
if [ ! -f "$build/build.ninja" ]; then
  mkdir -p "$build"
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DREGPOLL_SANITIZE=ON -DREGPOLL_BENCH=OFF > "$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; rm -f "$build/build.ninja"; exit 2; }
fi
started=$SECONDS
cmake --build "$build" -j "$jobs"
echo "test-asan: built in $((SECONDS - started)) s"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
select=()
[ -n "${ASAN_TESTS:-}" ] && select+=(-R "$ASAN_TESTS")
[ -n "${ASAN_EXCLUDE:-}" ] && select+=(-E "$ASAN_EXCLUDE")
started=$SECONDS
cd "$build" && ctest --output-on-failure -j "$jobs" --timeout 900 "${select[@]}"
echo "test-asan: tests ran in $((SECONDS - started)) s"
