#!/usr/bin/env bash
# Web page benchmark (not a test): DEVICES devices (one port each, regpoll-testserver as in
# fleet_bench.sh) × 30 points polled every second by `regpoll run` with its web server, once
# with no live page open and once with CLIENTS live pages (event streams on /api/v1/events,
# read by one small Python process). Printed side by side: CPU of the poll loop's thread
# and of the whole process, missed deadlines, and what the streams received.
#   tests/bench/web_bench.sh BUILD [DEVICES] [SECONDS] [CLIENTS]
set -euo pipefail
build=${1:-build}; devices=${2:-1000}; seconds=${3:-30}; clients=${4:-100}
here=$(cd "$(dirname "$0")/../.." && pwd)
source "$here/scripts/lib/children.sh" web-bench
python=/usr/bin/python3  # Debian's, whatever is first on PATH
base=$((21000 + RANDOM % 10000))
http_port=$((base + devices))
listen=(); for ((i = 0; i < devices; i++)); do listen+=(--listen "tcp://127.0.0.1:$((base + i))"); done
"$build/tests/server/regpoll-testserver" "${listen[@]}" --seconds $((2 * seconds + 120)) > "$tmp/server.out" 2>&1 &
pids+=($!)
sleep 2

points=""
for k in $(seq 0 9); do
  points+="{\"name\":\"f$k\",\"address\":$((1000 + 2 * k)),\"type\":\"float32\",\"unit\":\"W\",\"precision\":1},"
  points+="{\"name\":\"i$k\",\"address\":$((1020 + 2 * k)),\"type\":\"int32\"},"
  points+="{\"name\":\"s$k\",\"address\":$((1040 + k)),\"type\":\"int16\"},"
done
{
  echo '{ "buses": ['
  for ((i = 0; i < devices; i++)); do
    echo "$([ $i -gt 0 ] && echo , || true){\"name\":\"b$i\",\"uri\":\"tcp://127.0.0.1:$((base + i))\",\"timeout\":\"1s\"}"
  done
  echo '], "devices": ['
  for ((i = 0; i < devices; i++)); do
    echo "$([ $i -gt 0 ] && echo , || true){\"name\":\"d$i\",\"bus\":\"b$i\",\"interval\":\"1s\",\"points\":[${points%,}]}"
  done
  echo "], \"http\": { \"listen\": \"127.0.0.1:$http_port\" }, \"poller\": { \"stats_interval\": \"10s\" } }"
} > "$tmp/site.json"

# CLIENTS event streams read and thrown away; prints the bytes and events received.
cat > "$tmp/streams.py" <<'EOF'
import selectors, socket, sys, time
port, n, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
sel = selectors.DefaultSelector()
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /api/v1/events HTTP/1.1\r\nHost: bench\r\n\r\n")
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
total = events = closed = 0
end = time.monotonic() + seconds
while time.monotonic() < end and closed < n:
    for key, _ in sel.select(timeout=0.5):
        data = key.fileobj.recv(1 << 20)
        if not data:
            sel.unregister(key.fileobj); closed += 1; continue
        total += len(data); events += data.count(b"\ndata: ") + data.startswith(b"data: ")
print(f"{total} {events} {closed}")
EOF

# One run: "poll_cpu_s process_cpu_s missed cycles streams_bytes streams_events streams_closed".
run() {
  local streams=$1
  "$build/src/app/regpoll" run -c "$tmp/site.json" --output none --log-level info > "$tmp/run.out" 2> "$tmp/run.log" &
  local pid=$!
  pids+=($pid)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http_port/healthz" > /dev/null && break; sleep 0.2; done
  sleep 5  # warm-up: connections made, devices spread over the interval
  local reader=""
  if [ "$streams" -gt 0 ]; then
    "$python" "$tmp/streams.py" "$http_port" "$streams" "$seconds.5" > "$tmp/streams.out" &
    reader=$!
    sleep 1
  fi
  local lines0 t0 p0 t1 p1
  lines0=$(wc -l < "$tmp/run.log")
  p0=$(awk '{print $14 + $15}' "/proc/$pid/task/$pid/stat")  # the main thread runs the poll loop
  t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  sleep "$seconds"
  p1=$(awk '{print $14 + $15}' "/proc/$pid/task/$pid/stat")
  t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill -0 "$pid" 2>/dev/null || { echo "web_bench: regpoll ended early:" >&2; tail -n 20 "$tmp/run.log" >&2; }
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  local streamed="0 0 0"
  if [ -n "$reader" ]; then wait "$reader" || true; streamed=$(cat "$tmp/streams.out"); fi
  local hz missed cycles
  hz=$(getconf CLK_TCK)
  # The stats lines logged during the window (and the last ones at exit).
  missed=$(tail -n +"$((lines0 + 1))" "$tmp/run.log" | { grep -o '[0-9]* missed deadlines' || true; } | awk '{s += $1} END {print s + 0}')
  cycles=$(tail -n +"$((lines0 + 1))" "$tmp/run.log" | { grep -o '[0-9]* cycles' || true; } | awk '{s += $1} END {print s + 0}')
  echo "$(awk -v a=$((p1 - p0)) -v b=$((t1 - t0)) -v hz="$hz" 'BEGIN {printf "%.2f %.2f", a / hz, b / hz}') $missed $cycles $streamed"
}

none=$(run 0)
with=$(run "$clients")
awk -v d="$devices" -v s="$seconds" -v c="$clients" -v a="$none" -v b="$with" 'BEGIN {
  split(a, x, " "); split(b, y, " ")
  printf "%d devices at 1 s, %d s window          %18s %18s\n", d, s, "no live page", c " live pages"
  printf "%-40s %17.1f%% %17.1f%%\n", "poll loop thread CPU (% of one core)", 100 * x[1] / s, 100 * y[1] / s
  printf "%-40s %17.1f%% %17.1f%%\n", "whole process CPU (% of one core)", 100 * x[2] / s, 100 * y[2] / s
  printf "%-40s %18d %18d\n", "missed deadlines", x[3], y[3]
  printf "%-40s %18d %18d\n", "cycles logged", x[4], y[4]
  printf "%-40s %18s %18.1f\n", "MB/s sent to the live pages", "-", y[5] / s / 1e6
  printf "%-40s %18s %18.2f\n", "events received per page per second", "-", y[6] / c / s
  printf "%-40s %18s %18d\n", "streams dropped or closed", "-", y[7]
}'
