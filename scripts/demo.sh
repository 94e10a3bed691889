#!/usr/bin/env bash
# `make demo`: simulated devices (a Growatt inverter and an Eastron meter) on loopback, a
# local mosquitto when Debian's package is installed, and regpoll polling them with a live
# table in the terminal and its web page (the URL is printed). Ctrl-C stops everything this
# script started.
#   DEMO_SECONDS=N  stop by itself after N seconds (default: run until Ctrl-C)
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
regpoll="$build/src/app/regpoll"
source "$here/scripts/lib/children.sh" demo
trap 'exit 0' INT TERM

free_port() {  # a loopback port nothing listens on
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo "demo: no free port found" >&2; exit 1
}
wait_for_line() {  # file prefix: prints the first line starting with prefix
  for _ in $(seq 100); do
    line=$(grep -m1 "^$2" "$1" 2>/dev/null || true)
    [ -n "$line" ] && { echo "$line"; return; }
    sleep 0.1
  done
  echo "demo: timed out waiting for '$2' in $1" >&2; cat "${1%.out}.log" >&2 2>/dev/null || true; exit 1
}

# 1. The devices: regpoll's simulator, on a free port, from 10:00 so the sun shines (a
#    simulated day passes in ten minutes: config/demo.sim.json's "day_length").
sed 's#tcp://127.0.0.1:5020#tcp://127.0.0.1:0#' "$here/config/demo.sim.json" > "$tmp/sim.json"
"$regpoll" simulate --config "$tmp/sim.json" --start-time 10:00 > "$tmp/sim.out" 2> "$tmp/sim.log" &
pids+=($!)
device_port=$(wait_for_line "$tmp/sim.out" READY | awk '{print $2}')

# 2. The broker, if Debian's mosquitto is installed.
http_port=$(free_port)
sed "s#tcp://127.0.0.1:5020#tcp://127.0.0.1:$device_port#; s#127.0.0.1:8080#127.0.0.1:$http_port#" \
  "$here/config/demo.json" > "$tmp/demo.json"
if command -v mosquitto > /dev/null; then
  mqtt_port=$(free_port)
  { echo "listener $mqtt_port 127.0.0.1"; echo "allow_anonymous true"
    [ "$(id -u)" = 0 ] && echo "user root"; } > "$tmp/mosquitto.conf"
  mosquitto -c "$tmp/mosquitto.conf" > "$tmp/mosquitto.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port") 2>/dev/null && break; sleep 0.1; done
  sed -i "s#tcp://127.0.0.1:1883#tcp://127.0.0.1:$mqtt_port#" "$tmp/demo.json"
  mqtt_note="MQTT: a local mosquitto on port $mqtt_port; watch it with: mosquitto_sub -p $mqtt_port -t 'regpoll/#' -v"
else
  sed -i '/"mqtt":/d; s/"interval": "2s" }$/"interval": "2s" }/' "$tmp/demo.json"
  mqtt_note="MQTT: off (install Debian's mosquitto, 'sudo apt-get install mosquitto', and run make demo again)"
fi
sed -i "s#\"mqtt\": {#\"history\": { \"path\": \"$tmp/history.db\" }, \"mqtt\": {#" "$tmp/demo.json"
grep -q '"history"' "$tmp/demo.json" || sed -i "s#^  \\]#  ], \"history\": { \"path\": \"$tmp/history.db\" }#" "$tmp/demo.json"

echo "Simulated inverter (unit 1) and meter (unit 2) at tcp://127.0.0.1:$device_port"
echo "$mqtt_note"
echo "History: $tmp/history.db (regpoll history --db … while it runs)"
echo "Web page: http://127.0.0.1:$http_port/ (live values and charts; a simulated day lasts ten minutes)"
sleep 2
args=(run -c "$tmp/demo.json" --output table --log-level warn)
if [ -z "${DEMO_SECONDS:-}" ]; then
  "$regpoll" "${args[@]}" 2> "$tmp/poller.log" || true
  exit 0
fi

# DEMO_SECONDS=N: a timed run that proves itself (CI's smoke test of `make demo`): what reached
# the broker and the history, in one closing line, and exit 1 when either stayed empty.
if command -v mosquitto_sub > /dev/null && [ -n "${mqtt_port:-}" ]; then
  mosquitto_sub -p "$mqtt_port" -t 'regpoll/#' -v > "$tmp/mqtt.txt" 2> /dev/null &
  pids+=($!)
fi
timeout --signal=INT "$DEMO_SECONDS" "$regpoll" "${args[@]}" 2> "$tmp/poller.log" || true
rows=$("$regpoll" history --db "$tmp/history.db" --format json 2> /dev/null | wc -l || true)
if [ -n "${mqtt_port:-}" ]; then
  messages=$(wc -l < "$tmp/mqtt.txt")
  published=$(cut -d' ' -f1 "$tmp/mqtt.txt" | sort -u | wc -l)
  echo "demo: ${DEMO_SECONDS}s: $rows values in the history, $messages MQTT messages on $published topics"
  [ "$messages" -gt 0 ] || { echo "demo: nothing reached the broker" >&2; cat "$tmp/poller.log" >&2; exit 1; }
else
  echo "demo: ${DEMO_SECONDS}s: $rows values in the history (MQTT off)"
fi
[ "$rows" -gt 0 ] || { echo "demo: nothing reached the history" >&2; cat "$tmp/poller.log" >&2; exit 1; }
