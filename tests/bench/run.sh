#!/usr/bin/env bash
# Runs regpoll's benchmarks and prints markdown: the TCP request rate of regpoll and of a
# libmodbus client against the same local fast_server in the same run (interleaved rounds,
# so a busy moment on the machine hits both), and the codec figures from Google Benchmark.
# Figures only: the exit status says whether the benchmarks ran, never how fast they were.
#
#   tests/bench/run.sh BUILD_DIR          (`make bench` passes $(BUILD))
#   ROUNDS=3 ROUND_SECONDS=5 IN_FLIGHT=8 REGISTERS=50 CODEC_MIN_TIME=0.2  (defaults)
#   SHINE_WINDOW=30: the Shine rows (tests/bench/shine_bench.sh, about a minute a row);
#   SHINE_WINDOW=0 leaves them out
#
# Everything listens on and connects to 127.0.0.1; every process is bounded by its own
# --seconds and by `timeout`, and the server is stopped by its PID on exit.
set -euo pipefail

build="${1:?usage: $0 BUILD_DIR}"
rounds="${ROUNDS:-3}"
round_seconds="${ROUND_SECONDS:-5}"
in_flight="${IN_FLIGHT:-8}"
registers="${REGISTERS:-50}"
codec_min_time="${CODEC_MIN_TIME:-0.2}"
bin="$build/tests/bench"
targets=(bench_fast_server bench_tcp_rate_regpoll bench_tcp_rate_libmodbus bench_codec regpoll bench_shine_load)

# Build what is missing or stale when the build folder is a Ninja tree (`make bench` has
# just built everything; this keeps a direct call honest). A target that does not build
# (an optional one that is not configured, or someone's half-done change elsewhere) falls
# back to the binary already there.
if [ -f "$build/build.ninja" ]; then
  build_log="$build/bench-build.log"
  : >"$build_log"
  for t in "${targets[@]}"; do
    cmake --build "$build" --target "$t" >>"$build_log" 2>&1 ||
      echo "run.sh: could not (re)build $t, see $build_log; using what is there" >&2
  done
fi
for t in bench_fast_server bench_tcp_rate_regpoll; do
  [ -x "$bin/$t" ] || { echo "run.sh: $bin/$t missing (configure with -DREGPOLL_BENCH=ON and build)" >&2; exit 2; }
done
have_libmodbus=0; [ -x "$bin/bench_tcp_rate_libmodbus" ] && have_libmodbus=1
have_codec=0; [ -x "$bin/bench_codec" ] && have_codec=1

work="$(mktemp -d "${TMPDIR:-/tmp}/regpoll-bench.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The server outlives every round by a margin, then stops by itself.
server_budget=$(( rounds * 3 * (round_seconds + 5) + 30 ))
: >"$work/server.out"  # exists before the background job opens it (no race with the poll)
"$bin/bench_fast_server" --port 0 --seconds "$server_budget" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=""
for _ in $(seq 1 50); do
  port="$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$work/server.out" || true)"
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { echo "run.sh: fast_server did not start"; cat "$work/server.err"; exit 1; } >&2

# run_client NAME COMMAND...: one measured run; appends "rate cpu" to $work/NAME.
run_client() {
  local name="$1"; shift
  local out
  if ! out="$(timeout --kill-after=5 $(( round_seconds + 20 )) "$@" 2>"$work/$name.err")"; then
    echo "run.sh: $name failed: $(tail -n 3 "$work/$name.err")" >&2
    echo "- -" >>"$work/$name"
    return 0
  fi
  local rate cpu
  rate="$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<<"$out")"
  cpu="$(sed -n 's/.* cpu_us_per_request=\([0-9.]*\).*/\1/p' <<<"$out")"
  echo "${rate:--} ${cpu:--}" >>"$work/$name"
}

common=(--port "$port" --seconds "$round_seconds" --registers "$registers")
regpoll_seq() { run_client regpoll_seq "$bin/bench_tcp_rate_regpoll" "${common[@]}"; }
libmodbus_seq() {
  [ "$have_libmodbus" = 1 ] && run_client libmodbus_seq "$bin/bench_tcp_rate_libmodbus" "${common[@]}"
  return 0
}
regpoll_pipe() { run_client regpoll_pipe "$bin/bench_tcp_rate_regpoll" "${common[@]}" --in-flight "$in_flight"; }

echo "bench: fast_server on 127.0.0.1:$port; $rounds rounds x ${round_seconds} s per client," \
  "FC3 reads of $registers registers" >&2
for r in $(seq 1 "$rounds"); do
  # Alternate who goes first, so neither always gets the quieter moment.
  if [ $(( r % 2 )) -eq 1 ]; then regpoll_seq; libmodbus_seq; else libmodbus_seq; regpoll_seq; fi
  regpoll_pipe
  echo "bench: round $r/$rounds done" >&2
done
# Stopping the server now makes it print its request count.
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""

# median FILE COLUMN: median of the numeric values in that column ("-" skipped).
median() {
  awk -v c="$2" '$c != "-" { print $c }' "$1" | sort -g | awk '
    { v[NR] = $1 } END {
      if (NR == 0) { print "-"; exit }
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf (m >= 100 ? "%.0f\n" : "%.2f\n"), m }'
}
row() {  # row LABEL FILE
  local label="$1" file="$2"
  [ -f "$file" ] || return 0
  printf '| %s |' "$label"
  while read -r rate _; do printf ' %s |' "$rate"; done <"$file"
  printf ' **%s** | %s |\n' "$(median "$file" 1)" "$(median "$file" 2)"
}

echo
echo "### Modbus TCP request rate, one connection, 127.0.0.1 ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
header="| client (req/s) |"; rule="|---|"
for r in $(seq 1 "$rounds"); do header+=" round $r |"; rule+="---:|"; done
echo "$header median | CPU µs/request (median) |"
echo "$rule---:|---:|"
row "regpoll, sequential" "$work/regpoll_seq"
row "libmodbus $(pkg-config --modversion libmodbus 2>/dev/null || true), sequential" "$work/libmodbus_seq"
row "regpoll, pipelined ($in_flight in flight)" "$work/regpoll_pipe"
if [ "$have_libmodbus" = 1 ]; then
  ours="$(median "$work/regpoll_seq" 1)"; theirs="$(median "$work/libmodbus_seq" 1)"
  if [ "$ours" != "-" ] && [ "$theirs" != "-" ]; then
    echo
    awk -v a="$ours" -v b="$theirs" 'BEGIN {
      printf "regpoll / libmodbus (sequential medians): %.2f (target: at least 1.00)\n", a / b }'
  fi
else
  echo; echo "(libmodbus client not built: install libmodbus-dev for the comparison)"
fi
echo
grep '^fast_server: ' "$work/server.err" || true

if [ "$have_codec" = 1 ]; then
  echo
  echo "### Codec (Google Benchmark; items = values decoded, or frames)"
  echo
  echo '```'
  timeout 300 "$bin/bench_codec" --benchmark_min_time="$codec_min_time" 2>&1 |
    grep -vE '^\*\*\*WARNING|^$' || echo "run.sh: bench_codec failed" >&2
  echo '```'
else
  echo; echo "(bench_codec not built: install libbenchmark-dev)"
fi

shine_window="${SHINE_WINDOW:-30}"
if [ "$shine_window" != 0 ] && [ -x "$bin/bench_shine_load" ]; then
  bash "$(dirname "$0")/shine_bench.sh" "$build" "$shine_window" || echo "run.sh: shine_bench.sh failed" >&2
elif [ "$shine_window" != 0 ]; then
  echo; echo "(bench_shine_load not built: no Shine rows)"
fi
