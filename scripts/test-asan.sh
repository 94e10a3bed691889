#!/usr/bin/env bash
# `make test-asan`: builds everything (regpoll, plugins, tests) with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer in build-asan/, and runs the tests there. A finding fails
# the test that ran into it (UBSan stops at the first one; LeakSanitizer reports at exit).
#   scripts/test-asan.sh [JOBS]
# ASAN_TESTS=REGEX runs only the tests whose names match (ctest -R); ASAN_EXCLUDE=REGEX
# leaves some out (ctest -E). By default the packaging tests that never run this build's
# code are left out: they compile a release tree of their own (install.tree_and_deb) or
# check files (the unit, the Dockerfile's steps, the compose files). install.compose_stack,
# which runs the instrumented binary, stays in. ASAN_EXCLUDE= (empty) runs them all.
set -euo pipefail
jobs=${1:-$(nproc)}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-asan
for tool in clang clang++ cmake ninja; do
  command -v "$tool" >/dev/null || { echo "test-asan: $tool not found (scripts/install-deps.sh)" >&2; exit 2; }
done
if [ ! -f "$build/build.ninja" ]; then
  mkdir -p "$build"
  # -O1 with line tables only: what the sanitizers' own docs advise (stack traces name the
  # line, reports stay exact), and it compiles in far less time than -O2 -g on two cores.
  # Assertions stay on (no NDEBUG).
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
    -DCMAKE_C_FLAGS_SANITIZE="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -gline-tables-only" \
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
packaging='^install\.(tree_and_deb|systemd_unit|docker_steps|compose_debian12|compose_shards_debian12)$'
exclude=${ASAN_EXCLUDE-$packaging}
[ -n "$exclude" ] && select+=(-E "$exclude")
started=$SECONDS
cd "$build" && ctest --output-on-failure -j "$jobs" --timeout 900 "${select[@]}"
echo "test-asan: tests ran in $((SECONDS - started)) s"
