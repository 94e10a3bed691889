#!/usr/bin/env bash
# Runs regpoll inside the team's peer harness (shared/bench/run-peers.sh --mine): polls
# BENCH_DEVICES simulated devices (one per port from BENCH_BASE_PORT) every BENCH_INTERVAL
# seconds, reading 50 registers at 1000 decoded into f0..f9 (float32), i0..i9 (int32) and
# s0..s9 (int16), and publishes one JSON state object per poll to
# bench/mine/d<port>/state on the harness's broker. Run the harness with
#   MINE_TOPIC='bench/mine/+/state' ./run-peers.sh --mine 'env REGPOLL=... bash tests/bench/mine.sh' ...
# so its message count and decode check see the state messages (with the default
# bench/mine/# its first captured lines are all availability messages: "checked=0").
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
regpoll=${REGPOLL:-$here/build/src/app/regpoll}
dir=$(mktemp -d -t regpoll-bench.XXXXXX)
# regpoll replaces this shell below (exec, so the harness measures regpoll itself); a small
# watcher, deaf to the harness's signals, removes the folder once that process is gone.
( trap '' INT TERM HUP; while kill -0 $$ 2>/dev/null; do sleep 1; done; rm -rf "$dir" ) > /dev/null 2>&1 &
cfg=$dir/site.json
# One profile for the model, as a user with many devices of one model writes it: the
# devices share its points.
{
  echo '{ "manufacturer": "bench", "model": "mbsim", "points": ['
  points=""
  for k in $(seq 0 9); do
    points+="{\"name\":\"f$k\",\"address\":$((1000 + 2 * k)),\"type\":\"float32\"},"
    points+="{\"name\":\"i$k\",\"address\":$((1020 + 2 * k)),\"type\":\"int32\"},"
    points+="{\"name\":\"s$k\",\"address\":$((1040 + k)),\"type\":\"int16\"},"
  done
  echo "${points%,} ] }"
} > "$dir/bench-device.json"
interval=${BENCH_INTERVAL:-1}
case "$interval" in *ms|*s) interval_text=$interval ;; 0) interval_text=0s ;; *) interval_text=${interval}s ;; esac
{
  echo '{ "buses": ['
  for ((i = 0; i < BENCH_DEVICES; i++)); do
    port=$((BENCH_BASE_PORT + i))
    sep=,; [ $i -gt 0 ] || sep=
    echo "$sep{\"name\":\"b$port\",\"uri\":\"tcp://127.0.0.1:$port\",\"timeout\":\"1s\"}"
  done
  echo '], "devices": ['
  for ((i = 0; i < BENCH_DEVICES; i++)); do
    port=$((BENCH_BASE_PORT + i))
    sep=,; [ $i -gt 0 ] || sep=
    echo "$sep{\"name\":\"d$port\",\"bus\":\"b$port\",\"unit\":1,\"interval\":\"$interval_text\",\"profile\":\"bench-device.json\"}"
  done
  if [ -n "${MINE_NO_MQTT:-}" ]; then  # the poll loop alone
    echo "],"
  else
    echo "], \"mqtt\": { \"broker\": \"tcp://127.0.0.1:$BENCH_MQTT_PORT\", \"client_id\": \"regpoll-bench-$$\","
    # MINE_QOS=0 publishes as the harness's peers do (QoS 0); regpoll's default is 1.
    echo "  \"qos\": ${MINE_QOS:-1}, \"base_topic\": \"${MINE_TOPIC_BASE:-bench/mine}\", \"plain_topics\": false, \"outbox\": { \"path\": \"$dir/outbox.db\" } },"
  fi
  echo '  "poller": { "stats_interval": "10s" } }'
} > "$cfg"
# exec: the harness measures the CPU and memory of the process it started.
exec "$regpoll" run -c "$cfg" --output none --log-level "${REGPOLL_LOG_LEVEL:-warn}"
