#!/usr/bin/env bash
# Requests per second the gateway of `regpoll run` answers on loopback: from the values the
# poller holds (max_age 1h) against forwarding every request to the device (max_age 0s,
# each request through the device's bus queue), and the simulated device itself read
# directly, all in the same run with the same load client (tests/bench/server_load.cpp):
# 1, 10 and 100 connections, each with one request in flight reading 4 holding registers,
# every connection its own (connection i from register i), so that forwarding is not
# helped by identical requests sharing one device request.
# A benchmark: it prints figures and never fails on them.
#
#   tests/bench/gateway_bench.sh [BUILD_DIR] [SECONDS]      (defaults: build, 5)
#
# Environment: SERVER_LOAD (load client, default BUILD_DIR/tests/bench/bench_server_load),
# REGPOLL (default BUILD_DIR/src/app/regpoll), CONNECTIONS ("1 10 100").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
seconds=${2:-5}
load=${SERVER_LOAD:-$build/tests/bench/bench_server_load}
regpoll=${REGPOLL:-$build/src/app/regpoll}
connections=${CONNECTIONS:-1 10 100}

for f in "$load" "$regpoll"; do
  [ -x "$f" ] || { echo "gateway_bench: $f is missing; build it first" >&2; exit 2; }
done

source "$src/scripts/lib/children.sh" gateway-bench

# A device with 103 plain registers: one poll block covers what every connection reads.
{
  printf '{ "manufacturer": "Bench", "model": "Gateway bench box", "points": [\n'
  for r in $(seq 0 102); do
    printf '  { "name": "h%d", "address": %d, "type": "uint16" }%s\n' "$r" "$r" "$([ "$r" = 102 ] && echo "" || echo ",")"
  done
  printf '] }\n'
} >"$tmp/box.json"
start_ready device "$regpoll" simulate --profile "$tmp/box.json" \
  --listen tcp://127.0.0.1:0 --freeze --log-level warn
device_port=$ready
cached_port=$(free_port)
forward_port=$(free_port)
cat >"$tmp/site.json" <<JSON
{ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:$device_port", "timeout": "1s" } ],
  "devices": [ { "name": "box", "bus": "lab", "unit": 1, "interval": "1s",
                 "profile": "$tmp/box.json" } ],
  "poller": { "stats_interval": "0s" },
  "gateway": [ { "listen": "tcp://127.0.0.1:$cached_port", "max_age": "1h", "max_clients": 128 },
               { "listen": "tcp://127.0.0.1:$forward_port", "max_age": "0s", "max_clients": 128 } ] }
JSON
"$regpoll" run -c "$tmp/site.json" --output none >"$tmp/run.out" 2>"$tmp/run.err" &
pids+=($!)
for _ in $(seq 200); do
  grep -q "device box: online" "$tmp/run.err" && break
  sleep 0.05
done
grep -q "device box: online" "$tmp/run.err" || { echo "gateway_bench: regpoll run did not poll:" >&2; cat "$tmp/run.err" >&2; exit 1; }

depth=1
registers=4
spread=100
source "$here/load_rate.sh"

declare -A result
for c in $connections; do
  result[cached,$c]=$(measure "$cached_port" "$c")
  result[forward,$c]=$(measure "$forward_port" "$c")
  result[device,$c]=$(measure "$device_port" "$c")
done

printf '\nregpoll gateway, FC3 x 4 registers (each connection its own), loopback, %s s per cell, 1 request in flight per connection\n' "$seconds"
printf '%-34s' "requests/s"
for c in $connections; do printf '%12s' "$c conn"; done
printf '\n'
for row in cached forward device; do
  case $row in
    cached) label="gateway, from held values" ;;
    forward) label="gateway, forwarding every request" ;;
    device) label="the simulated device, directly" ;;
  esac
  printf '%-34s' "$label"
  for c in $connections; do printf '%12s' "${result[$row,$c]}"; done
  printf '\n'
done
printf '%-34s' "held / forwarding"
for c in $connections; do
  printf '%12s' "$(ratio "${result[cached,$c]}" "${result[forward,$c]}")"
done
printf '\n'
kill -INT "${pids[-1]}" 2>/dev/null || true
wait "${pids[-1]}" 2>/dev/null || true
grep "gateway tcp://.*cache hits" "$tmp/run.err" || true
