#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and runs each in
# turn, for a time, to a number of executions, or to whichever of the two comes first.
# One line per target; exit status 1 when any target found a crash, a hang or a leak (the
# input is kept in build-fuzz/artifacts/<target>/ and the report in
# build-fuzz/logs/<target>.log).
#
#   tests/fuzz/run.sh [SECONDS]                  default 20; `make fuzz FUZZ_SECONDS=15` in CI
#   tests/fuzz/run.sh --runs N [--seconds S]     N executions per target (libFuzzer -runs=N),
#                                                at most S seconds each when given
#   make fuzz FUZZ_RUNS=10000000 FUZZ_SECONDS=1800   the same through make
#   --targets fuzz_codec,fuzz_sunspec (make fuzz FUZZ_TARGETS=...)   only those targets
#
# A target that stops at the time says "time", one that got through its executions says
# "runs"; both lines give the executions, the seconds and the executions per second.
# The corpus each target grows stays in build-fuzz/corpus/<target>/ (git-ignored), so
# repeated runs start where the last one stopped; seeds are regenerated every run (from
# tests/fuzz/make_seeds.cpp: captured frames and regpoll's own encoders).
set -euo pipefail

usage() { echo "usage: $0 [SECONDS] | [--seconds SECONDS] [--runs EXECUTIONS] [--targets T1,T2]" >&2; exit 2; }
seconds="" runs="" only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) [ $# -ge 2 ] || usage; seconds="$2"; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; runs="$2"; shift 2 ;;
    --seconds=*) seconds="${1#--seconds=}"; shift ;;
    --runs=*) runs="${1#--runs=}"; shift ;;
    --targets) [ $# -ge 2 ] || usage; only="$2"; shift 2 ;;
    --targets=*) only="${1#--targets=}"; shift ;;
    -*) usage ;;
    *) [ -z "$seconds" ] || usage; seconds="$1"; shift ;;
  esac
done
for value in "$seconds" "$runs"; do
  case "$value" in
    *[!0-9]*) usage ;;
  esac
done
[ -n "$seconds$runs" ] || seconds=20
if [ -n "$seconds" ] && [ "$seconds" -lt 1 ]; then
  echo "run.sh: SECONDS must be at least 1" >&2; exit 2
fi
if [ -n "$runs" ] && [ "$runs" -lt 1 ]; then
  echo "run.sh: EXECUTIONS must be at least 1" >&2; exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$root/build-fuzz"
targets=(fuzz_mbap fuzz_rtu fuzz_ascii fuzz_pdu fuzz_codec fuzz_shine fuzz_request fuzz_sunspec)
if [ -n "$only" ]; then  # --targets: some of them, in the order given
  chosen=()
  IFS=, read -r -a wanted <<< "$only"
  for t in "${wanted[@]}"; do
    [[ " ${targets[*]} " == *" $t "* ]] || { echo "run.sh: no target $t (${targets[*]})" >&2; exit 2; }
    chosen+=("$t")
  done
  targets=("${chosen[@]}")
fi

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
if [ -z "$runs" ]; then
  echo "fuzzing ${#targets[@]} targets for ${seconds} s each (clang, ASan + UBSan)"
elif [ -z "$seconds" ]; then
  echo "fuzzing ${#targets[@]} targets to ${runs} executions each (clang, ASan + UBSan)"
else
  echo "fuzzing ${#targets[@]} targets to ${runs} executions each, at most ${seconds} s" \
    "(clang, ASan + UBSan)"
fi
limits=(-max_total_time="${seconds:-0}")
[ -z "$runs" ] || limits+=(-runs="$runs")
# libFuzzer stops itself at -max_total_time; `timeout` only guards against a wedged run.
guard=()
[ -z "$seconds" ] || guard=(timeout --kill-after=10 $((seconds + 60)))
failed=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  log="$build/logs/$target.log"
  mkdir -p "$corpus" "$artifacts"
  status=0
  start="${EPOCHREALTIME//[!0-9]/}"  # microseconds
  "${guard[@]}" "$build/$target" \
    "${limits[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=1200 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "$build/seeds/$target" >"$log" 2>&1 || status=$?
  micros=$(( ${EPOCHREALTIME//[!0-9]/} - start ))
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  if [ -z "$execs" ]; then  # no final stats after a crash: the last progress line
    execs="$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')"
  fi
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  if [ -z "$rate" ] && [ -n "$execs" ]; then
    rate=$(( execs * 1000000 / (micros > 0 ? micros : 1) ))
  fi
  units="$(find "$corpus" -type f | wc -l)"
  figures="$(printf '%12s executions  %5d.%d s  %8s exec/s' "${execs:-?}" $((micros / 1000000)) \
    $((micros / 100000 % 10)) "${rate:-?}")"
  if [ "$status" -eq 0 ]; then
    reached=time
    if [ -n "$runs" ] && [ -n "$execs" ] && [ "$execs" -ge "$runs" ]; then reached=runs; fi
    printf '%-12s ok     %-4s %s  corpus %5s\n' "$target" "$reached" "$figures" "$units"
  else
    failed=1
    artifact="$(grep -oE "Test unit written to .*" "$log" | tail -n 1 | sed 's/Test unit written to //')"
    [ "$status" -eq 124 ] && artifact="(killed by timeout: libFuzzer did not stop)"
    printf '%-12s FAILED      %s  exit %s  input %s\n' "$target" "$figures" "$status" \
      "${artifact:-?}"
    { echo "---- $target: $log (last lines)"; grep -vE '^(INFO|#[0-9]+)' "$log" | tail -n 30; } >&2
  fi
done
exit "$failed"
