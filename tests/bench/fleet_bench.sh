#!/usr/bin/env bash
# Fleet benchmark (not a test): DEVICES devices (one port each) × 50 registers decoded into
# 30 points at a 1 s interval, without outputs: CPU share of one core, peak RSS and
# deadline misses of the poll loop alone. (The MQTT figures come from the team's peer
# harness with tests/bench/mine.sh, and from tests/bench/mqtt_bench.sh.)
#   tests/bench/fleet_bench.sh BUILD [DEVICES] [SECONDS]
# INTERVAL=0 DELAY_MS=2 tests/bench/fleet_bench.sh BUILD 10 20: the concurrency case (devices
# that answer after 2 ms, polled back to back); polls/s from the last 10 s of stats.
# SIM_RT=1 runs the simulator (only it) at real-time priority (chrt -f 1, needs CAP_SYS_NICE):
# on a machine shared with builds its timer wake-ups otherwise wait up to a scheduler tick
# (4 ms) behind a compiler now and then, which stalls every simulated device at once; real
# devices have processors of their own. regpoll itself always runs at normal priority.
set -euo pipefail
build=${1:-build}; devices=${2:-1000}; seconds=${3:-20}
interval=${INTERVAL:-1}; delay_ms=${DELAY_MS:-0}
here=$(cd "$(dirname "$0")/../.." && pwd)
source "$here/scripts/lib/children.sh" fleet
base=$((21000 + RANDOM % 10000))
listen=(); for ((i = 0; i < devices; i++)); do listen+=(--listen "tcp://127.0.0.1:$((base + i))"); done
sim_priority=()
if [ -n "${SIM_RT:-}" ]; then
  if chrt -f 1 true 2>/dev/null; then sim_priority=(chrt -f 1); else echo "fleet_bench: SIM_RT: chrt -f 1 not permitted here; simulator at normal priority" >&2; fi
fi
"${sim_priority[@]}" "$build/tests/server/regpoll-testserver" "${listen[@]}" --delay-ms "$delay_ms" --seconds $((seconds + 40)) > "$tmp/server.out" 2>&1 &
pids+=($!)
sleep 2
MINE_NO_MQTT=1 BENCH_DEVICES=$devices BENCH_BASE_PORT=$base BENCH_INTERVAL=$interval REGPOLL_LOG_LEVEL=info \
  REGPOLL="$build/src/app/regpoll" bash "$here/tests/bench/mine.sh" > "$tmp/regpoll.log" 2>&1 &
pid=$!
pids+=($pid)
sleep 5  # warm-up: connections made, devices spread over the interval
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep "$seconds"
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
hz=$(getconf CLK_TCK)
missed=$( { grep -o '[0-9]* missed deadlines' "$tmp/regpoll.log" || true; } | awk '{s += $1} END {print s + 0}')
cycles=$( { grep -o '[0-9]* cycles' "$tmp/regpoll.log" || true; } | awk '{s += $1} END {print s + 0}')
last=$( { grep -o '[0-9]* cycles' "$tmp/regpoll.log" || true; } | tail -n "$devices" | awk '{s += $1} END {print s + 0}')
awk -v d="$devices" -v s="$seconds" -v c=$((t1 - t0)) -v hz="$hz" -v rss="$rss" -v m="$missed" -v cy="$cycles" -v l="$last" \
    -v sim="$([ ${#sim_priority[@]} -gt 0 ] && echo ', simulator at real-time priority' || true)" 'BEGIN {
  printf "devices=%d window=%ds: CPU %.2f s = %.1f%% of one core, peak RSS %.1f MB, %d cycles logged, %d missed deadlines, %.0f polls/s in the last stats period%s\n",
    d, s, c / hz, 100 * c / hz / s, rss / 1024, cy, m, l / 10, sim }'
