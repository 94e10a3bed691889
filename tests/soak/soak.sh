#!/bin/bash
# A long run with faults on purpose (a script like the benchmarks, not part of `make test`):
#   tests/soak/soak.sh BUILD [DURATION] [DEVICES]       e.g. tests/soak/soak.sh build 1h 100
#
# DEVICES simulated devices (default 100) behind four listeners of `regpoll simulate`, each
# with its own faults: clean; 2 % of requests unanswered (timeouts) and late answers; RTU
# framing over TCP with 2 % broken CRCs (garbage); 2 % exception replies and 0.5 % closed
# connections. `regpoll run` polls them every 5 s into a real mosquitto and a SQLite history
# (retention and rollups on) on a 512 MiB disk of its own (tmpfs, so memory: room for an
# hour of rows and the 40-64 MiB of WAL the history lets grow between checkpoints). On
# purpose, meanwhile:
#   - mosquitto is stopped and started again every RESTART_EVERY (default 3m);
#   - the configuration is changed (every other device's interval 5 s <-> 7 s) and regpoll
#     is sent SIGHUP every RELOAD_EVERY (default 1m);
#   - the history's disk is filled up for FULL_FOR (default 2m) from the middle of the run.
# The web server is on throughout: WEB_PAGES (default 5) clients keep the live event stream
# open (reconnecting when it ends) and one asks for /metrics, /api/v1/devices, one device,
# /api/v1/history and /healthz every second; every answer but a 200 counts as a failure.
# SOAK_LOGS=DIR keeps the logs, configurations and counted keys there; SOAK_LOG_LEVEL=debug.
# Every SAMPLE_EVERY (default 30 s) it prints one line: RSS, open descriptors, threads, the
# samples polled (regpoll's own JSON-lines output), those in the history and those waiting or
# dropped there (its status file), the state messages polled and those a persistent QoS 1
# subscriber got, missed deadlines and whether regpoll still runs. At the end: the verdict
# against the goals (flat RSS and descriptors, nothing lost outside the documented bounds,
# no crash) and PRAGMA integrity_check of the history. Flat RSS allows for SQLite's page
# caches (34 MiB), which fill as the history grows: see the verdict below.
#
# Polled and delivered are compared per device cycle: each cycle is one `<base>/<device>/state`
# message and one or more history rows (one per point). The documented bounds that allow a
# loss: the history's max_queue while its disk is full (counted as "dropped" in its status).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
regpoll=$build/src/app/regpoll
python=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
seconds_of() {  # 90, 90s, 5m, 1h
  case $1 in *h) echo $((${1%h} * 3600)) ;; *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac
}
duration=$(seconds_of "${2:-1h}")
devices=${3:-100}
restart_every=$(seconds_of "${RESTART_EVERY:-3m}")
reload_every=$(seconds_of "${RELOAD_EVERY:-1m}")
full_for=$(seconds_of "${FULL_FOR:-2m}")
sample_every=$(seconds_of "${SAMPLE_EVERY:-30s}")

source "$here/../../scripts/lib/mount_namespace.sh"
in_mount_namespace "$@"
# shellcheck source=scripts/lib/children.sh
source "$here/../../scripts/lib/children.sh" soak
cleanup_soak() {
  if [ -n "${SOAK_LOGS:-}" ]; then mkdir -p "$SOAK_LOGS" && cp "$tmp"/*.log "$tmp"/*.keys "$tmp"/*.json "$SOAK_LOGS/" 2>/dev/null || true; fi
  umount -l "$disk" 2>/dev/null || true
  umount -l "$(dirname "$disk")" 2>/dev/null || true
  cleanup
}
disk=$tmp/disk
mkdir "$disk"
small_disk "$disk" 512m
trap cleanup_soak EXIT

free_ports() {  # N free loopback ports, one per line
  "$python" -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in socks))' "$1"
}
mapfile -t ports < <(free_ports 6)
broker_port=${ports[4]}
web_port=${ports[5]}
web_pages=${WEB_PAGES:-5}

# --- the devices: four listeners, their faults, DEVICES devices spread over them
"$python" - "$tmp/sim.json" "$devices" "${ports[@]:0:4}" << 'EOF'
import json, sys
path, n, ports = sys.argv[1], int(sys.argv[2]), sys.argv[3:7]
listeners = [
    ("tcp", {}),
    ("tcp", {"drop_rate": 0.02, "delay": "20ms", "jitter": "30ms"}),
    ("rtu+tcp", {"corrupt_rate": 0.02}),
    ("tcp", {"exception_rate": 0.02, "exception_code": 6, "disconnect_rate": 0.005}),
]
profiles = ["eastron/sdm630", "growatt/min-tl-x", "eastron/sdm120", "sma/sunny-boy"]
devices, given = [], set()
for i in range(n):
    li = i % 4
    scheme, faults = listeners[li]
    d = {"name": f"dev{i:03d}", "unit": 1 + i // 4, "profile": profiles[(i // 4) % 4],
         "listen": f"{scheme}://127.0.0.1:{ports[li]}"}
    if li not in given and faults:
        d["faults"] = faults
    given.add(li)
    devices.append(d)
json.dump({"refresh": "1s", "seed": 7, "devices": devices}, open(path, "w"), indent=1)
EOF

# --- the site file; $1 = 0 or 1 flips the interval of every other device (the reloads)
write_site() {
  "$python" - "$tmp/site.json" "$devices" "$1" "$disk" "$broker_port" "$tmp/sim.json" "$web_port" << 'EOF'
import json, sys
path, n, flip, disk, broker, sim, web = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
sim_devices = json.load(open(sim))["devices"]
buses, seen = [], {}
for d in sim_devices:
    if d["listen"] not in seen:
        seen[d["listen"]] = f"bus{len(seen)}"
        buses.append({"name": seen[d["listen"]], "uri": d["listen"], "timeout": "300ms"})
devices = [{"name": d["name"], "bus": seen[d["listen"]], "unit": d["unit"], "profile": d["profile"],
            "interval": "7s" if flip and i % 2 else "5s"} for i, d in enumerate(sim_devices)]
json.dump({"buses": buses, "devices": devices,
           "mqtt": {"broker": f"tcp://127.0.0.1:{broker}", "base_topic": "soak", "client_id": "regpoll-soak",
                    "outbox": {"path": f"{disk}/outbox.db"}},
           "history": {"path": f"{disk}/history.db", "retention": "30d", "flush_interval": "1s",
                       "rollups": {"retention": "400d"}},
           "http": {"listen": f"127.0.0.1:{web}"}},
          open(path, "w"), indent=1)
EOF
}

# --- mosquitto, persistent (queued QoS 1 messages for the subscriber survive its restarts)
mkdir "$tmp/broker"
cat > "$tmp/broker/mosquitto.conf" << EOF
listener $broker_port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $tmp/broker/
max_queued_messages 0
max_inflight_messages 0
EOF
broker_pid=""
start_broker() {
  mosquitto -c "$tmp/broker/mosquitto.conf" >> "$tmp/broker.log" 2>&1 &
  broker_pid=$!
  pids+=("$broker_pid")
  for _ in $(seq 100); do
    "$python" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$broker_port" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "soak: mosquitto did not start" >&2; cat "$tmp/broker.log" >&2; exit 1
}
stop_broker() { kill -TERM "$broker_pid"; wait "$broker_pid" 2>/dev/null || true; }

# --- the subscriber: a persistent QoS 1 session that counts state messages per device
cat > "$tmp/subscriber.py" << 'EOF'
import json, os, sys, time
import paho.mqtt.client as mqtt
port, out = int(sys.argv[1]), sys.argv[2]
seen = set()  # (device, ts): QoS 1 may deliver a message twice
keys = open(out + ".keys", "a", buffering=1)
def on_connect(client, userdata, flags, rc):
    client.subscribe("soak/+/state", qos=1)
def on_message(client, userdata, msg):
    try:
        key = (msg.topic.split("/")[1], json.loads(msg.payload)["ts"])
        if key not in seen:
            seen.add(key)
            keys.write(f"{key[0]} {key[1]}\n")
    except (ValueError, KeyError):
        print("not a state object:", msg.topic, msg.payload[:80], file=sys.stderr)
c = mqtt.Client(client_id="soak-subscriber", clean_session=False)
c.on_connect, c.on_message = on_connect, on_message
c.reconnect_delay_set(0.2, 2)
while True:
    try:
        c.connect("127.0.0.1", port, keepalive=10)
        break
    except OSError:
        time.sleep(0.2)
c.loop_start()
while True:
    time.sleep(1)
    with open(out + ".tmp", "w") as f:
        json.dump({"unique": len(seen)}, f)
    os.replace(out + ".tmp", out)
EOF

# --- the web clients: live pages on the event stream, and one polling the API
cat > "$tmp/web_clients.py" << 'EOF'
import http.client, json, os, sys, threading, time
port, pages, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()
count = {"requests": 0, "failed": 0, "events": 0, "streams": 0, "failures": []}
def failed(what):
    with lock:
        count["failed"] += 1
        if len(count["failures"]) < 20: count["failures"].append(f"{time.strftime('%H:%M:%S')} {what}")
def page():
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/api/v1/events")
            r = c.getresponse()
            if r.status != 200:
                failed(f"events: HTTP {r.status}"); time.sleep(1); continue
            with lock: count["streams"] += 1
            for line in r:
                if line.startswith(b"data:"):
                    with lock: count["events"] += 1
        except OSError as e:
            failed(f"events: {e}"); time.sleep(1)
def api():
    paths = ["/metrics", "/api/v1/devices", "/api/v1/devices/dev000", "/healthz",
             "/api/v1/history?device=dev000&point=voltage_l1&step=10s"]
    while True:
        for p in paths:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                c.request("GET", p)
                r = c.getresponse(); r.read(); c.close()
                with lock: count["requests"] += 1
                # /healthz says 503 while a device is offline: the soak's faults make that normal.
                if r.status != 200 and not (p == "/healthz" and r.status == 503): failed(f"{p}: HTTP {r.status}")
            except OSError as e:
                failed(f"{p}: {e}")
        time.sleep(1)
for _ in range(pages): threading.Thread(target=page, daemon=True).start()
threading.Thread(target=api, daemon=True).start()
while True:
    time.sleep(1)
    with lock: snapshot = dict(count)
    with open(out + ".tmp", "w") as f: json.dump(snapshot, f)
    os.replace(out + ".tmp", out)
EOF

start_ready sim "$regpoll" simulate --config "$tmp/sim.json" --seconds $((duration + 120))
start_broker
"$python" "$tmp/subscriber.py" "$broker_port" "$tmp/delivered.json" 2>"$tmp/subscriber.err" &
pids+=($!)
sleep 1
write_site 0
# Polled samples, counted from regpoll's own output: a sample per line; a device cycle is a
# run of lines with the same device and timestamp.
"$regpoll" run -c "$tmp/site.json" --output jsonl --status-file "$tmp/status.json" --log-level "${SOAK_LOG_LEVEL:-info}" \
    2> "$tmp/run.log" > >(awk -v out="$tmp/polled" -v keys="$tmp/polled.keys" '
      { split($0, a, "\""); key = a[6] a[3]; samples++ }
      key != last { cycles++; last = key; print a[6], substr(a[3], 2, length(a[3]) - 2) > keys }
      NR % 500 == 0 { print samples, cycles > out; close(out) }
      END { print samples, cycles > out; close(out) }') &
run_pid=$!
pids+=("$run_pid")
"$python" "$tmp/web_clients.py" "$web_port" "$web_pages" "$tmp/web.json" 2>"$tmp/web_clients.err" &
web_pid=$!
pids+=("$web_pid")

stat_of() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$run_pid/status"; }
history_field() { "$python" -c 'import json,sys
try: print(json.load(open(sys.argv[1])).get("history", {}).get(sys.argv[2], 0))
except Exception: print(0)' "$tmp/status.json" "$1"; }
delivered() { "$python" -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["unique"])
except Exception: print(0)' "$tmp/delivered.json"; }

printf '%6s %8s %4s %4s %10s %9s %9s %8s %8s %9s %9s %6s %s\n' \
  t rss_kb fds thr samples cycles stored queued dropped msgs_got msgs_polled missed event | tee "$tmp/series.txt"
start=$(date +%s)
next_restart=$((start + restart_every)); next_reload=$((start + reload_every)); next_sample=$((start + 10))
fill_at=$((start + duration / 2)); fill_until=$((fill_at + full_for)); filled=0; flip=0
event=start; rss_first=""; fds_first=""
while :; do
  now=$(date +%s)
  [ "$now" -ge $((start + duration)) ] && break
  kill -0 "$run_pid" 2>/dev/null || { echo "soak: regpoll is gone (crash?)"; tail -20 "$tmp/run.log"; exit 1; }
  if [ "$now" -ge "$next_restart" ]; then
    stop_broker; sleep 5; start_broker; next_restart=$((now + restart_every)); event="$event broker-restart"
  fi
  if [ "$now" -ge "$next_reload" ]; then
    flip=$((1 - flip)); write_site "$flip"; kill -HUP "$run_pid"; next_reload=$((now + reload_every)); event="$event reload"
  fi
  if [ "$filled" = 0 ] && [ "$full_for" -gt 0 ] && [ "$now" -ge "$fill_at" ]; then
    dd if=/dev/zero of="$disk/fill" bs=64k 2>/dev/null || true; filled=1; event="$event disk-full"
  fi
  if [ "$filled" = 1 ] && [ "$now" -ge "$fill_until" ]; then
    rm -f "$disk/fill"; filled=2; event="$event disk-freed"
  fi
  if [ "$now" -ge "$next_sample" ]; then
    rss=$(stat_of VmRSS); thr=$(stat_of Threads); fds=$(ls "/proc/$run_pid/fd" | wc -l)
    read -r samples cycles < "$tmp/polled" 2>/dev/null || { samples=0; cycles=0; }
    missed=$( { grep -o '[0-9]* missed deadlines' "$tmp/run.log" || true; } | awk '{s += $1} END {print s + 0}')
    printf '%6d %8d %4d %4d %10d %9d %9d %8d %8d %9d %9d %6d %s\n' $((now - start)) "$rss" "$fds" "$thr" \
      "$samples" "$cycles" "$(history_field stored)" "$(history_field queued)" "$(history_field dropped)" \
      "$(delivered)" "$cycles" "$missed" "${event# }" | tee -a "$tmp/series.txt"
    [ -z "$rss_first" ] && [ $((now - start)) -ge 60 ] && { rss_first=$rss; fds_first=$fds; }
    event=""; next_sample=$((now + sample_every))
  fi
  sleep 1
done
[ "$filled" = 1 ] && rm -f "$disk/fill"

# --- the end: stop regpoll, let the broker hand the subscriber what is left, then judge
rss_last=$(stat_of VmRSS); fds_last=$(ls "/proc/$run_pid/fd" | wc -l)
sleep 1.5  # the web clients' last figures
kill -TERM "$web_pid"; wait "$web_pid" 2>/dev/null || true  # before regpoll, which closes their streams
kill -TERM "$run_pid"
rc=0; wait "$run_pid" || rc=$?
sleep 5
read -r samples cycles < "$tmp/polled"
got=$(delivered)
"$python" - "$disk/history.db" "$tmp/status.json" "$samples" "$cycles" "$got" "$rc" \
    "${rss_first:-0}" "$rss_last" "${fds_first:-0}" "$fds_last" "$tmp/run.log" \
    "$tmp/polled.keys" "$tmp/delivered.json.keys" "$tmp/web.json" "$tmp/series.txt" << 'EOF'
import json, re, sqlite3, sys
db, status, samples, cycles, got, rc, rss0, rss1, fds0, fds1, log, polled_keys, got_keys, web, series_file = sys.argv[1:16]
samples, cycles, got, rc = int(samples), int(cycles), int(got), int(rc)
rss0, rss1, fds0, fds1 = int(rss0), int(rss1), int(fds0), int(fds1)
con = sqlite3.connect(db)
rows = con.execute("select count(*) from history").fetchone()[0]
check = con.execute("pragma integrity_check").fetchone()[0]
h = json.load(open(status)).get("history", {})
dropped = h.get("dropped", 0)
text = open(log, errors="replace").read()
crashes = len(re.findall(r"(?i)segmentation|aborted|terminate called|AddressSanitizer", text))
print(f"polled: {samples} samples in {cycles} device cycles; exit status {rc}")
print(f"history: {rows} rows + {dropped} dropped under max_queue = {rows + dropped} "
      f"(missing {samples - rows - dropped}); integrity_check {check}")
print(f"MQTT: {got} state messages received for {cycles} cycles (missing {cycles - got})")
missing = sorted(set(open(polled_keys).read().split("\n")) - set(open(got_keys).read().split("\n")),
                 key=lambda k: k.split(" ")[-1])
if missing:
    print(f"  not received ({len(missing)}), oldest first, device and ts:", ", ".join(missing[:12]),
          "…" if len(missing) > 12 else "")
try:
    w = json.load(open(web))
except (OSError, ValueError):
    w = {"requests": 0, "failed": 0, "events": 0, "streams": 0, "failures": ["no figures from the web clients"]}
print(f"web: {w['requests']} API requests, {w['streams']} event streams opened, {w['events']} live events; "
      f"{w['failed']} failed")
for f in w["failures"][:5]: print("  ", f)
print(f"RSS {rss0} kB after the first minute -> {rss1} kB at the end; descriptors {fds0} -> {fds1}")
# The history's SQLite page cache (PRAGMA cache_size = -32768 in src/sink/history_store.cpp)
# fills as the database grows, up to 32 MiB, and the web server's history reader has SQLite's
# default 2 MiB: bounded by design, and not yet filled after the first minute. Flat means
# within 25 % + 4 MiB of the first minute on top of those caches. The last quarter shows the
# plateau (an hour here fills the cache after about 40 minutes).
page_caches_kb = 32768 + 2048
series = [row for row in map(str.split, open(series_file)) if row and row[0].isdigit()]
if len(series) >= 4:
    q = series[(3 * len(series)) // 4]
    print(f"RSS over the last quarter: {q[1]} kB at {q[0]} s -> {series[-1][1]} kB at {series[-1][0]} s")
ok = (rc == 0 and check == "ok" and rows + dropped == samples and got == cycles and crashes == 0
      and w["requests"] > 0 and w["events"] > 0 and w["failed"] == 0
      and rss1 <= rss0 * 1.25 + 4096 + page_caches_kb and fds1 <= fds0 + 4)
print("soak:", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
EOF
