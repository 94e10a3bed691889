#!/usr/bin/env bash
# `make demo`: shows regpoll against a local Modbus device on loopback. Until the simulator
# lands, the device is Debian's pymodbus server holding a few known values.
set -euo pipefail
build=${1:-build}
regpoll="$build/src/app/regpoll"
here=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp -t regpoll-demo-peer.XXXXXX.log)
fifo=$(mktemp -u -t regpoll-demo.XXXXXX); mkfifo "$fifo"
/usr/bin/python3 -I "$here/tests/integration/peer/modbus_peer.py" --transport tcp --port 0 \
  --units 1 --values "$here/tests/integration/data/cli_values.json" --seconds 60 \
  --log-level warning >"$fifo" 2>"$log" &
peer=$!
trap 'kill $peer 2>/dev/null; wait $peer 2>/dev/null; rm -f "$fifo" "$log"' EXIT INT TERM
read -r ready port <"$fifo"
[ "$ready" = READY ] || { echo "demo: the test device did not start:"; cat "$log"; exit 1; }
uri="tcp://127.0.0.1:$port"
run() { echo; echo "\$ regpoll $*"; "$regpoll" "$@" || true; }
echo "A Modbus device is listening at $uri (Debian's pymodbus server)."
run scan "$uri" --units 1-3
run read "$uri" --address 100 --type int16
run read "$uri" --address 130 --type float32 --order CDAB --json
run read "$uri" --address 150 --type string --length 3
run write "$uri" --address 200 --type float32 55.5
run read "$uri" --address 200 --type float32 --debug
run read "$uri" --address 5000
echo
echo "Point the same commands at your device: regpoll read tcp://192.168.1.10:502 --unit 1 --address 0"
