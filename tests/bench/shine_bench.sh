#!/usr/bin/env bash
# Shine benchmark (not a test): Growatt Shine records decoded per second by `regpoll run`,
# and its CPU per record, with many simulated dataloggers on one shine+listen:// port.
# Each row starts regpoll with a site of N devices (one per datalogger, growatt/min-tl-xh,
# the history on in a SQLite file with its defaults, MQTT off), then N sticks in one load
# process (tests/bench/shine_load.cpp) sending a live record every upload interval, spread
# over it. After a warm-up it measures over WINDOW seconds, aligned to regpoll's stats
# periods: records decoded (the "N cycles" of regpoll's own stats lines: one a record a
# device took), regpoll's CPU (utime + stime from /proc/PID/stat) per record, peak RSS and
# open descriptors. A short upload interval is the saturation row: each stick then has
# records queued and sends the next as soon as the last is acked, so the rate is what
# regpoll keeps up with (each stick keeps up to 100,000 records queued, so none is
# discarded and one is in flight per stick, as the stick protocol has it). It prints figures and never fails on them.
#
#   tests/bench/shine_bench.sh BUILD [WINDOW]        (defaults: build, 30)
#
# Environment: ROWS, "STICKS:INTERVAL ..." (default "1000:10s 1000:1s 100:1s 1000:100ms");
# STATS_PERIOD (seconds, default 10; WINDOW is rounded to whole periods); HISTORY=0 runs
# without the history; REGPOLL and SHINE_LOAD name the binaries.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
window=${2:-30}
rows=${ROWS:-1000:10s 1000:1s 100:1s 1000:100ms}
period=${STATS_PERIOD:-10}
history=${HISTORY:-1}
regpoll=${REGPOLL:-$build/src/app/regpoll}
load=${SHINE_LOAD:-$build/tests/bench/bench_shine_load}
profile=growatt/min-tl-xh

for f in "$load" "$regpoll"; do
  [ -x "$f" ] || { echo "shine_bench: $f is missing; build it first" >&2; exit 2; }
done
export REGPOLL_DEVICES="$src/devices"
# Two descriptors a stick at the least (its socket on each side), both processes under us.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

source "$src/scripts/lib/children.sh" shine-bench

periods=$(( (window + period - 1) / period ))
window=$(( periods * period ))
hz=$(getconf CLK_TCK)

# seconds INTERVAL: "10s", "1s", "50ms", "1m" as seconds.
seconds() {
  awk -v t="$1" 'BEGIN {
    if (t ~ /ms$/) print substr(t, 1, length(t) - 2) / 1000
    else if (t ~ /s$/) print substr(t, 1, length(t) - 1) + 0
    else if (t ~ /m$/) print substr(t, 1, length(t) - 1) * 60
    else print t + 0 }'
}

# site STICKS INTERVAL PORT DB: N devices on one shine+listen:// bus, one per datalogger.
site() {
  local sticks=$1 interval=$2 port=$3 db=$4
  echo "{ \"buses\": [ { \"name\": \"shine\", \"uri\": \"shine+listen://127.0.0.1:$port\" } ], \"devices\": ["
  for ((i = 1; i <= sticks; i++)); do
    printf '%s{"name":"d%d","bus":"shine","datalogger":"BENCH%05d","profile":"%s","upload_interval":"%s"}\n' \
      "$([ "$i" -gt 1 ] && echo , || true)" "$i" "$i" "$profile" "$interval"
  done
  echo "],"
  [ "$history" = 1 ] && echo "\"history\": { \"path\": \"$db\" },"
  echo "\"poller\": { \"stats_interval\": \"${period}s\" } }"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# stats_lines LOG: regpoll's per-device stats lines so far ("device d7: 10 cycles, …").
stats_lines() { grep -c ': [0-9]* cycles, ' "$1" || true; }

# wait_stats LOG PID LINES BUDGET: until LOG holds LINES stats lines; false when regpoll
# ended or BUDGET seconds passed.
wait_stats() {
  local end=$((SECONDS + $4))
  while [ "$(stats_lines "$1")" -lt "$3" ]; do
    kill -0 "$2" 2>/dev/null || return 1
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.05
  done
}

# row STICKS INTERVAL: prints one table row.
row() {
  local sticks=$1 interval=$2 n=$((++row_number))
  local port log=$tmp/run-$n.log status=$tmp/status-$n.json
  port=$(free_port)
  site "$sticks" "$interval" "$port" "$tmp/history-$n.db" >"$tmp/site-$n.json"
  "$regpoll" run -c "$tmp/site-$n.json" --output none --log-level info --status-file "$status" \
    >"$tmp/run-$n.out" 2>"$log" &
  local pid=$!
  pids+=($pid)
  for _ in $(seq 400); do
    grep -q "waiting for Growatt dataloggers" "$log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  grep -q "waiting for Growatt dataloggers" "$log" ||
    { echo "shine_bench: regpoll run did not listen:" >&2; tail -n 20 "$log" >&2; return 0; }

  start_ready "load-$n" "$load" --port "$port" --sticks "$sticks" --upload-interval "$interval" --ramp 10s \
    --max-queued 100000
  local load_pid=${pids[-1]}
  # Warm-up: every stick started (at most 10 s) and one whole stats period after that.
  local ramp warm b0 t0 t1 wall0 wall1
  ramp=$(awk -v a="$(seconds "$interval")" 'BEGIN { print (a < 10 ? a : 10) }')
  warm=$(awk -v r="$ramp" -v p="$period" 'BEGIN { print int(r / p) + 2 }')
  if ! wait_stats "$log" "$pid" $((warm * sticks)) $((warm * period + 60)); then
    echo "shine_bench: no stats from regpoll ($sticks sticks at $interval):" >&2; tail -n 5 "$log" >&2; return 0
  fi
  b0=$(( $(stats_lines "$log") / sticks ))
  t0=$(cpu_ticks "$pid"); wall0=$(date +%s.%N)
  if ! wait_stats "$log" "$pid" $(((b0 + periods) * sticks)) $((window + 60)); then
    echo "shine_bench: regpoll stopped logging stats ($sticks sticks at $interval)" >&2; return 0
  fi
  t1=$(cpu_ticks "$pid"); wall1=$(date +%s.%N)
  local rss fds records hist
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  records=$(grep ': [0-9]* cycles, ' "$log" | sed -n "$((b0 * sticks + 1)),$(((b0 + periods) * sticks))p" |
    grep -o ' [0-9]* cycles' | awk '{s += $1} END {print s + 0}')
  # The history as the status file says it (written every few seconds): dropped, queued.
  hist=$(/usr/bin/python3 -c 'import json, sys; h = json.load(open(sys.argv[1])).get("history")
print("-" if h is None else "%d/%d" % (h["dropped"], h["queued"]))' "$status" 2>/dev/null || echo "?")

  kill -TERM "$load_pid"; wait "$load_pid" 2>/dev/null || true
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  local result
  result=$(grep '^RESULT' "$tmp/load-$n.out" || echo "RESULT")
  awk -v n="$sticks" -v iv="$interval" -v ivs="$(seconds "$interval")" -v rec="$records" -v w="$window" \
      -v c=$((t1 - t0)) -v hz="$hz" -v w0="$wall0" -v w1="$wall1" -v rss="$rss" -v fds="$fds" \
      -v hist="$hist" -v res="$result" 'BEGIN {
    split(res, kv, " "); for (i in kv) { split(kv[i], p, "="); r[p[1]] = p[2] }
    cpu = c / hz
    printf "| %d | %s | %.0f | **%.0f** | %.1f%% | %s | %.0f | %d | %s | %s | %s / %s | %s |\n",
      n, iv, n / ivs, rec / w, 100 * cpu / (w1 - w0), (rec > 0 ? sprintf("%.0f", 1e6 * cpu / rec) : "-"),
      rss / 1024, fds, hist, r["connects"], r["sent"], r["acked"], r["cpu_s"] }'
}

row_number=0
echo
echo "### Shine records decoded by \`regpoll run\`, one shine+listen:// port on 127.0.0.1"
echo
echo "$profile, protocol 6, history $([ "$history" = 1 ] && echo "on (SQLite, defaults)" || echo off), MQTT off;" \
  "${window} s window per row; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo
echo "| sticks | upload interval | offered records/s | decoded records/s | regpoll CPU (one core) | CPU µs/record | peak RSS MB | fds | history dropped/queued | load connects | load sent / acked (whole run) | load CPU s (whole run) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in $rows; do
  row "${r%%:*}" "${r#*:}"
done
