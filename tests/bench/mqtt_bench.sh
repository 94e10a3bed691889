#!/usr/bin/env bash
# MQTT output benchmark (not a test): regpoll polls DEVICES simulated devices (50 registers
# decoded into 30 points each) and publishes one JSON state per poll to a local mosquitto;
# a subscriber measures messages/s and poll-to-publish latency (p50, p99).
#   tests/bench/mqtt_bench.sh BUILD [DEVICES] [INTERVAL] [SECONDS]
# INTERVAL 0 polls back to back (throughput); e.g. 100ms gives a steady rate (latency).
set -euo pipefail
build=${1:-build}; devices=${2:-10}; interval=${3:-0}; seconds=${4:-10}
here=$(cd "$(dirname "$0")/../.." && pwd)
source "$here/scripts/lib/children.sh" mqtt-bench
free_port() { local p; for _ in $(seq 50); do p=$((20000 + RANDOM % 20000)); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; exit 1; }
base=$((21000 + RANDOM % 10000))
listen=(); for ((i = 0; i < devices; i++)); do listen+=(--listen "tcp://127.0.0.1:$((base + i))"); done
"$build/tests/server/regpoll-testserver" "${listen[@]}" --seconds $((seconds + 30)) > "$tmp/server.out" 2>&1 &
pids+=($!)
mqtt_port=$(free_port)
{ echo "listener $mqtt_port 127.0.0.1"; echo "allow_anonymous true"; echo "max_queued_messages 0"
  [ "$(id -u)" = 0 ] && echo "user root"; } > "$tmp/mosquitto.conf"
mosquitto -c "$tmp/mosquitto.conf" > "$tmp/mosquitto.log" 2>&1 &
pids+=($!)
sleep 1
BENCH_DEVICES=$devices BENCH_BASE_PORT=$base BENCH_MQTT_PORT=$mqtt_port BENCH_INTERVAL=$interval \
  REGPOLL="$build/src/app/regpoll" bash "$here/tests/bench/mine.sh" > "$tmp/regpoll.log" 2>&1 &
pid=$!
pids+=($pid)
result=$(/usr/bin/python3 "$here/tests/bench/mqtt_latency.py" "$mqtt_port" bench/mine "$seconds" 3)
cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat")
rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo "devices=$devices interval=$interval: $result regpoll_cpu_ticks=$cpu peak_rss_kb=$rss"
