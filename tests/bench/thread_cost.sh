#!/usr/bin/env bash
# Where regpoll's CPU goes, thread by thread, at QoS 0 and QoS 1: 1,000 devices of the team
# harness's simulator (mbsim) polled every second, one JSON state message per poll to a
# mosquitto of its own (tests/bench/mine.sh, the configuration peer_cost.sh measures). For each
# QoS it prints the CPU of each thread (the poller is the main one; the MQTT publisher, a
# SQLite writer when configured, paho's MQTTAsync_send and MQTTAsync_rcv) over a window after a warm-up, and the process's peak RSS. Figures only.
#
#   tests/bench/thread_cost.sh [BUILD_DIR]    (default build)
#   REGPOLL=PATH    another regpoll binary      QOS="0 1"     the QoS levels, in turn
#   DEVICES=1000    WARMUP=12  WINDOW=30       the load and the measured window (s)
#   HARNESS=../shared/bench                     where mbsim.c comes from
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
regpoll=${REGPOLL:-$build/src/app/regpoll}
[ -x "$regpoll" ] || { echo "thread_cost: $regpoll missing (make build)" >&2; exit 2; }
harness=${HARNESS:-$root/../shared/bench}
[ -f "$harness/peers/mbsim.c" ] || { echo "thread_cost: no harness at $harness (set HARNESS)" >&2; exit 2; }
devices=${DEVICES:-1000} warmup=${WARMUP:-12} window=${WINDOW:-30}
. "$root/scripts/lib/children.sh" thread-cost
cc -O2 -o "$tmp/mbsim" "$harness/peers/mbsim.c"
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "$1"; }  # utime + stime of a /proc stat file

for qos in ${QOS:-0 1}; do
  mqtt_port=$(free_port)
  base_port=$(free_ports "$devices")
  printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$mqtt_port" > "$tmp/mq.conf"
  mosquitto -c "$tmp/mq.conf" > "$tmp/mq.log" 2>&1 & mq=$!; pids+=("$mq")
  "$tmp/mbsim" --ports "$devices" --base-port "$base_port" --seconds $((warmup + window + 30)) \
    > "$tmp/sim.log" 2>&1 & sim=$!; pids+=("$sim")
  sleep 1
  BENCH_DEVICES=$devices BENCH_BASE_PORT=$base_port BENCH_MQTT_PORT=$mqtt_port BENCH_INTERVAL=1 \
    MINE_QOS=$qos REGPOLL=$regpoll bash "$root/tests/bench/mine.sh" > "$tmp/regpoll.log" 2>&1 & rp=$!; pids+=("$rp")
  sleep "$warmup"
  declare -A before=()
  for t in /proc/$rp/task/*; do before[$t]=$(ticks "$t/stat"); done
  total0=$(ticks /proc/$rp/stat)
  sleep "$window"
  total1=$(ticks /proc/$rp/stat)
  echo "## QoS $qos, $devices devices at 1 s, ${window} s after ${warmup} s: $(date -u +%FT%TZ)"
  awk -v t=$((total1 - total0)) -v hz="$hz" -v w="$window" 'BEGIN{printf "whole process: %.2f %% of one core\n", 100 * t / hz / w}'
  for t in /proc/$rp/task/*; do
    [ -n "${before[$t]:-}" ] || continue
    name=$(cat "$t/comm")
    [ "${t##*/}" = "$rp" ] && name="$name (poller)"
    awk -v n="$name" -v tid="${t##*/}" -v t=$(($(ticks "$t/stat") - before[$t])) -v hz="$hz" -v w="$window" \
      'BEGIN{printf "  %-16s %-8s %6.2f %%\n", n, tid, 100 * t / hz / w}'
  done
  grep VmHWM "/proc/$rp/status"
  unset before
  kill "$rp"; wait "$rp" 2>/dev/null || true
  kill "$sim" "$mq"; wait "$sim" "$mq" 2>/dev/null || true
done
