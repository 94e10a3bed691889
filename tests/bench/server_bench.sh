#!/usr/bin/env bash
# Requests per second a Modbus TCP server answers on loopback, regpoll's server side by
# side with the pymodbus peer, measured in the same run with the same load client
# (tests/bench/server_load.cpp): 1 and 100 connections, each with one request in flight
# reading 50 holding registers. A benchmark: it prints figures and never fails on them.
#
#   tests/bench/server_bench.sh [BUILD_DIR] [SECONDS]      (defaults: build, 5)
#
# Environment: SERVER_LOAD (load client, default BUILD_DIR/tests/bench/bench_server_load), REGPOLL_TESTSERVER (server), PEER_PYTHON
# (default /usr/bin/python3), CONNECTIONS ("1 100"), DEPTH (1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
seconds=${2:-5}
load=${SERVER_LOAD:-$build/tests/bench/bench_server_load}
testserver=${REGPOLL_TESTSERVER:-$build/tests/server/regpoll-testserver}
python=${PEER_PYTHON:-/usr/bin/python3}
connections=${CONNECTIONS:-1 100}
depth=${DEPTH:-1}

for f in "$load" "$testserver"; do
  [ -x "$f" ] || { echo "server_bench: $f is missing; build it first" >&2; exit 2; }
done

source "$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib/children.sh" server-bench

registers=50
source "$here/load_rate.sh"

declare -A result
start_ready regpoll "$testserver" --seconds 0
regpoll_pid=${pids[-1]}
for c in $connections; do result[regpoll,$c]=$(measure "$ready" "$c"); done
kill "$regpoll_pid"

start_ready pymodbus "$python" -I "$src/tests/integration/peer/modbus_peer.py" --transport tcp --port 0 \
  --log-level warning --seconds 0
for c in $connections; do result[pymodbus,$c]=$(measure "$ready" "$c"); done

printf '\nModbus TCP server, FC3 x 50 registers, loopback, %s s per cell, %s request(s) in flight per connection\n' \
  "$seconds" "$depth"
printf '%-22s' "requests/s"
for c in $connections; do printf '%16s' "$c conn"; done
printf '\n'
for server in regpoll pymodbus; do
  label=$server
  [ $server = regpoll ] && label="regpoll-testserver"
  [ $server = pymodbus ] && label="pymodbus 3.0.0 peer"
  printf '%-22s' "$label"
  for c in $connections; do printf '%16s' "${result[$server,$c]}"; done
  printf '\n'
done
printf '%-22s' "ratio"
for c in $connections; do
  printf '%16s' "$(ratio "${result[regpoll,$c]}" "${result[pymodbus,$c]}")"
done
printf '\n'
