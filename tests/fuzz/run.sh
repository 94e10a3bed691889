#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and runs each for
# SECONDS. One line per target; exit status 1 when any target found a crash, a hang or a
# leak (the input is kept in build-fuzz/artifacts/<target>/ and the report in
# build-fuzz/logs/<target>.log).
#
#   tests/fuzz/run.sh [SECONDS]      default 20; `make fuzz FUZZ_SECONDS=15` in CI
#
# The corpus each target grows stays in build-fuzz/corpus/<target>/ (git-ignored), so
# repeated runs start where the last one stopped; seeds are regenerated every run.
set -euo pipefail

seconds="${1:-20}"
case "$seconds" in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
[ "$seconds" -ge 1 ] || { echo "run.sh: SECONDS must be at least 1" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$root/build-fuzz"
targets=(fuzz_mbap fuzz_rtu fuzz_ascii fuzz_pdu fuzz_codec fuzz_shine)

for tool in clang clang++ cmake ninja; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (scripts/install-deps.sh)" >&2; exit 2; }
done

configure=(cmake -S "$root/tests/fuzz" -B "$build" -G Ninja
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if command -v ccache >/dev/null; then configure+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
if [ -f "$build/CMakeCache.txt" ] && ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$root/tests/fuzz" \
    "$build/CMakeCache.txt"; then
  echo "run.sh: $build was configured from another source folder; remove it first" >&2
  exit 2
fi
mkdir -p "$build"
CC=clang CXX=clang++ "${configure[@]}" >"$build/configure.log" 2>&1 || {
  cat "$build/configure.log" >&2; exit 2; }
cmake --build "$build" --target fuzz_all -- -j "$(nproc)" >"$build/build.log" 2>&1 || {
  tail -n 40 "$build/build.log" >&2; echo "run.sh: build failed" >&2; exit 2; }

rm -rf "$build/seeds"
"$build/fuzz_make_seeds" "$build/seeds" >/dev/null
mkdir -p "$build/logs"

# Stack traces in UBSan reports, so a finding names the line in src/.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
echo "fuzzing ${#targets[@]} targets for ${seconds} s each (clang, ASan + UBSan)"
failed=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  log="$build/logs/$target.log"
  mkdir -p "$corpus" "$artifacts"
  status=0
  # libFuzzer stops itself at -max_total_time; `timeout` only guards against a wedged run.
  timeout --kill-after=10 $((seconds + 60)) "$build/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=1200 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "$build/seeds/$target" >"$log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  if [ -z "$execs" ]; then  # no final stats after a crash: the last progress line
    execs="$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')"
  fi
  units="$(find "$corpus" -type f | wc -l)"
  if [ "$status" -eq 0 ]; then
    printf '%-11s ok     %12s executions  corpus %5s\n' "$target" "${execs:-?}" "$units"
  else
    failed=1
    artifact="$(grep -oE "Test unit written to .*" "$log" | tail -n 1 | sed 's/Test unit written to //')"
    [ "$status" -eq 124 ] && artifact="(killed by timeout: libFuzzer did not stop)"
    printf '%-11s FAILED %12s executions  exit %s  input %s\n' "$target" "${execs:-?}" "$status" \
      "${artifact:-?}"
    { echo "---- $target: $log (last lines)"; grep -vE '^(INFO|#[0-9]+)' "$log" | tail -n 30; } >&2
  fi
done
exit "$failed"
