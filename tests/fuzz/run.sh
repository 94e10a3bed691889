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
#   --jobs N (make fuzz FUZZ_JOBS=N)   N processes per target on the same corpus, the
#                                      executions shared out between them (default 1)
#
# A target that stops at the time says "time", one that got through its executions says
# "runs"; both lines give the executions (of all its processes), the seconds and the
# executions per second.
# The corpus each target grows stays in build-fuzz/corpus/<target>/ (git-ignored), so
# repeated runs start where the last one stopped; seeds are regenerated every run (from
# tests/fuzz/make_seeds.cpp: captured frames and regpoll's own encoders).
set -euo pipefail

usage() {
  echo "usage: $0 [SECONDS] | [--seconds SECONDS] [--runs EXECUTIONS] [--targets T1,T2] [--jobs N]" >&2
  exit 2
}
seconds="" runs="" only="" jobs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) [ $# -ge 2 ] || usage; seconds="$2"; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; runs="$2"; shift 2 ;;
    --seconds=*) seconds="${1#--seconds=}"; shift ;;
    --runs=*) runs="${1#--runs=}"; shift ;;
    --targets) [ $# -ge 2 ] || usage; only="$2"; shift 2 ;;
    --targets=*) only="${1#--targets=}"; shift ;;
    --jobs) [ $# -ge 2 ] || usage; jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#--jobs=}"; shift ;;
    -*) usage ;;
    *) [ -z "$seconds" ] || usage; seconds="$1"; shift ;;
  esac
done
for value in "$seconds" "$runs" "$jobs"; do
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
if [ -z "$jobs" ] || [ "$jobs" -lt 1 ]; then
  echo "run.sh: JOBS must be at least 1" >&2; exit 2
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
processes=""
[ "$jobs" -eq 1 ] || processes=", $jobs processes each"
if [ -z "$runs" ]; then
  echo "fuzzing ${#targets[@]} targets for ${seconds} s each${processes} (clang, ASan + UBSan)"
elif [ -z "$seconds" ]; then
  echo "fuzzing ${#targets[@]} targets to ${runs} executions each${processes} (clang, ASan + UBSan)"
else
  echo "fuzzing ${#targets[@]} targets to ${runs} executions each, at most ${seconds} s" \
    "${processes:+(${processes#, }) }(clang, ASan + UBSan)"
fi
limits=(-max_total_time="${seconds:-0}")
# With several processes each runs its share of the executions (the first the remainder).
share=$(( ${runs:-0} / jobs ))
# libFuzzer stops itself at -max_total_time; `timeout` only guards against a wedged run.
guard=()
[ -z "$seconds" ] || guard=(timeout --kill-after=10 $((seconds + 60)))
failed=0
# Executions in a worker's log: the final stats, or after a crash the last progress line.
executions_in() {
  local n
  n="$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)"
  [ -n "$n" ] || n="$(grep -oE '^#[0-9]+' "$1" | tail -n 1 | tr -d '#')"
  echo "${n:-0}"
}
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  logs=() pids=()
  start="${EPOCHREALTIME//[!0-9]/}"  # microseconds
  for ((j = 1; j <= jobs; j++)); do
    log="$build/logs/$target.log"
    [ "$j" -eq 1 ] || log="$build/logs/$target.$j.log"
    worker=("${limits[@]}")
    if [ -n "$runs" ]; then
      mine=$share
      [ "$j" -gt 1 ] || mine=$(( runs - share * (jobs - 1) ))
      [ "$mine" -ge 1 ] || continue
      worker+=(-runs="$mine")
    fi
    # One corpus for all: libFuzzer reloads it, so the processes share what each finds.
    "${guard[@]}" "$build/$target" \
      "${worker[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=1200 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "$corpus" "$build/seeds/$target" >"$log" 2>&1 &
    logs+=("$log") pids+=($!)
  done
  # The first worker that finds something stops the others: its input is what matters.
  declare -A log_of=()
  for i in "${!pids[@]}"; do log_of[${pids[$i]}]="${logs[$i]}"; done
  status=0 execs=0 bad_log=""
  while [ "${#log_of[@]}" -gt 0 ]; do
    s=0 done_pid=""
    wait -n -p done_pid "${!log_of[@]}" || s=$?
    [ -n "$done_pid" ] || break  # nothing left to wait for
    if [ "$s" -ne 0 ] && [ "$status" -eq 0 ]; then
      status=$s bad_log="${log_of[$done_pid]}"
      kill "${!log_of[@]}" 2>/dev/null || true
    fi
    unset "log_of[$done_pid]"
  done
  unset log_of
  for log in "${logs[@]}"; do execs=$(( execs + $(executions_in "$log") )); done
  micros=$(( ${EPOCHREALTIME//[!0-9]/} - start ))
  rate=""
  [ "${#logs[@]}" -ne 1 ] ||
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "${logs[0]}" | tail -n 1)"
  [ -n "$rate" ] || rate=$(( execs * 1000000 / (micros > 0 ? micros : 1) ))
  units="$(find "$corpus" -type f | wc -l)"
  figures="$(printf '%12s executions  %5d.%d s  %8s exec/s' "$execs" $((micros / 1000000)) \
    $((micros / 100000 % 10)) "$rate")"
  if [ "$status" -eq 0 ]; then
    reached=time
    if [ -n "$runs" ] && [ "$execs" -ge "$runs" ]; then reached=runs; fi
    printf '%-12s ok     %-4s %s  corpus %5s\n' "$target" "$reached" "$figures" "$units"
  else
    failed=1
    artifact="$(grep -oE "Test unit written to .*" "$bad_log" | tail -n 1 |
      sed 's/Test unit written to //')"
    [ "$status" -eq 124 ] && artifact="(killed by timeout: libFuzzer did not stop)"
    printf '%-12s FAILED      %s  exit %s  input %s\n' "$target" "$figures" "$status" \
      "${artifact:-?}"
    { echo "---- $target: $bad_log (last lines)"; grep -vE '^(INFO|#[0-9]+)' "$bad_log" | tail -n 30; } >&2
  fi
done
exit "$failed"
