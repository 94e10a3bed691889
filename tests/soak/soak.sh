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
# The same run also has every other part that has landed:
#   - PostgreSQL: a real PostgreSQL 15 server of the script's own (initdb and pg_ctl from
#     /usr/local/bin or /usr/lib/postgresql/15/bin, or PG_BIN; as root it runs as "nobody"),
#     on a free loopback port and a socket in the temporary folder, fsync off. regpoll's
#     "postgres" sink writes every sample there (its outbox on the small disk too). The
#     server is stopped (fast shutdown) for PG_DOWN_FOR (default 1m; 0: never) from a quarter
#     of the run: the samples wait in the outbox and must all reach the database afterwards.
#   - Growatt Shine: SHINE_STICKS (default 4) simulated sticks (`regpoll simulate --shine`,
#     growatt/min-tl-xh, protocol 6) dial a `shine+listen://` bus of the same `regpoll run`
#     and send a record every SHINE_UPLOAD (default 10s); each record is a device cycle like a
#     poll (buffered records, after a reload closed the connection, reach MQTT on
#     `<base>/<device>/buffered`, which the subscriber counts too).
#   - The Modbus gateway, on a free loopback port, serving the Modbus devices (unit i+1 =
#     device i, up to 247): GATEWAY_CLIENTS (default 4) pymodbus clients (Debian's, under
#     /usr/bin/python3) each read a random device's point every 50 ms, reconnecting when the
#     gateway closes them (every reload restarts it). Exceptions the device's listener
#     explains (0x0B where replies are dropped or broken, 0x0B or 06 where exceptions and
#     closed connections are injected) are counted as explained errors; any other exception,
#     an error from a clean device, a request without an answer in 10 s, or more lost
#     connections than clients x (reloads + 1) is not.
# The periodic line adds: Shine records decoded (announces and data), rows in PostgreSQL, those
# waiting for it (queue + outbox) and dropped, and the gateway clients' answers, errors
# (explained exceptions and connections lost at reloads) and unexplained errors.
#
# Polled and delivered are compared per device cycle: each cycle is one `<base>/<device>/state`
# message (or `/buffered` for a Shine record sent after an outage) and one or more history
# rows (one per point). The documented bounds that allow a loss: the history's max_queue while
# its disk is full (counted as "dropped" in its status) and the PostgreSQL outbox's
# max_samples (5,000,000; "dropped" in the status file's "postgres" object). Further goals of
# the new parts: every record a stick had acked reached regpoll's output, at least 90 % of the
# records the sticks should have sent in the run arrived, and the gateway's explained errors
# per faulty listener stay under twice that listener's fault rate (a request answered from held
# values never meets a fault; one sent on to the device meets it once).
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
pg_down_for=$(seconds_of "${PG_DOWN_FOR:-1m}")
shine_sticks=${SHINE_STICKS:-4}
shine_upload=$(seconds_of "${SHINE_UPLOAD:-10s}")
gateway_clients=${GATEWAY_CLIENTS:-4}

source "$here/../../scripts/lib/mount_namespace.sh"
in_mount_namespace "$@"
# shellcheck source=scripts/lib/children.sh
source "$here/../../scripts/lib/children.sh" soak
pg_dir=$tmp/pg
cleanup_soak() {
  if [ -f "$pg_dir/data/postmaster.pid" ]; then stop_pg || true; fi
  if [ -n "${SOAK_LOGS:-}" ]; then
    mkdir -p "$SOAK_LOGS" && cp "$tmp"/*.log "$tmp"/*.err "$tmp"/*.keys "$tmp"/*.json "$SOAK_LOGS/" 2>/dev/null || true
    cp "$pg_dir/server.log" "$SOAK_LOGS/postgres.log" 2>/dev/null || true
  fi
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
mapfile -t ports < <(free_ports 9)
broker_port=${ports[4]}
web_port=${ports[5]}
pg_port=${ports[6]}
shine_port=${ports[7]}
gateway_port=${ports[8]}
web_pages=${WEB_PAGES:-5}

# --- PostgreSQL: a server of its own in $tmp/pg. initdb and postgres refuse root: as root
# the server runs as "nobody" (which may then pass through $tmp, not read it).
pg_bin=${PG_BIN:-}
if [ -z "$pg_bin" ]; then
  for d in /usr/local/bin /usr/lib/postgresql/15/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then pg_bin=$d; break; fi
  done
fi
[ -n "$pg_bin" ] || { echo "soak: no initdb and pg_ctl in /usr/local/bin or /usr/lib/postgresql/15/bin (PG_BIN=DIR)" >&2; exit 1; }
psql=$pg_bin/psql
[ -x "$psql" ] || psql=psql
as_pg=()
mkdir "$pg_dir"
if [ "$(id -u)" = 0 ]; then
  chmod 711 "$tmp"
  chown nobody:nogroup "$pg_dir"
  as_pg=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
start_pg() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" start -w -t 60 -D "$pg_dir/data" -l "$pg_dir/server.log" -o \
    "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >> "$tmp/pg_ctl.log" 2>&1 || { echo "soak: PostgreSQL did not start" >&2; tail -20 "$pg_dir/server.log" >&2; return 1; }
}
stop_pg() { "${as_pg[@]}" "$pg_bin/pg_ctl" stop -w -m fast -D "$pg_dir/data" >> "$tmp/pg_ctl.log" 2>&1; }
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-sync --locale=C \
  > "$tmp/pg_ctl.log" 2>&1 || { echo "soak: initdb failed" >&2; cat "$tmp/pg_ctl.log" >&2; exit 1; }
start_pg
pg_conninfo="host=127.0.0.1 port=$pg_port user=postgres dbname=regpoll connect_timeout=3"
"$psql" -X -q -v ON_ERROR_STOP=1 "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" -c "CREATE DATABASE regpoll"
echo "$pg_conninfo" > "$tmp/pg.conninfo"
# Samples in PostgreSQL ("-" while it is down or has no table yet).
pg_rows() { "$psql" -X -A -t -q "$pg_conninfo" -c "SELECT count(*) FROM samples" 2>/dev/null || echo -; }

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

# --- what the gateway clients read: per Modbus device (unit i + 1) its profile's first
# numeric points polled every cycle (answered from held values) and its first one polled
# less often (mostly sent on to the device), with the exceptions its listener explains.
"$python" - "$tmp/sim.json" "$tmp/gateway_targets.json" "$here/../../devices" << 'EOF'
import json, sys
sim, out, library = sys.argv[1], sys.argv[2], sys.argv[3]
sizes = {"uint16": 1, "int16": 1, "uint32": 2, "int32": 2, "float32": 2, "uint64": 4, "int64": 4, "float64": 4}
faults = [("clean", [], 0.0), ("timeouts", [0x0B], 0.02), ("crc", [0x0B], 0.02), ("exceptions", [0x0B, 6], 0.025)]
listens = []
targets, points_of = [], {}
for i, d in enumerate(json.load(open(sim))["devices"][:247]):
    if d["listen"] not in listens: listens.append(d["listen"])
    if d["profile"] not in points_of:
        p = json.load(open(f"{library}/{d['profile']}.json"))
        defaults, chosen, slow = p.get("defaults", {}), [], None
        for point in p["points"]:
            kind, kind_type = point.get("register", defaults.get("register")), point.get("type", defaults.get("type"))
            if kind not in ("input", "holding") or kind_type not in sizes or "bits" in point: continue
            t = {"kind": kind, "address": point["address"], "count": sizes[kind_type], "point": point["name"]}
            if "interval" in point:
                slow = slow or t
            elif len(chosen) < 3:
                chosen.append(t)
        points_of[d["profile"]] = chosen + ([slow] if slow else [])
    name, explained, rate = faults[listens.index(d["listen"])]
    for t in points_of[d["profile"]]:
        targets.append(dict(t, unit=i + 1, device=d["name"], fault=name, explained=explained, rate=rate))
json.dump(targets, open(out, "w"), indent=1)
EOF

# --- the site file; $1 = 0 or 1 flips the interval of every other device (the reloads)
write_site() {
  "$python" - "$tmp/site.json" "$devices" "$1" "$disk" "$broker_port" "$tmp/sim.json" "$web_port" \
      "$tmp/pg.conninfo" "$shine_port" "$shine_sticks" "$shine_upload" "$gateway_port" << 'EOF'
import json, sys
path, n, flip, disk, broker, sim, web = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
pg_conninfo, shine_port, sticks, upload, gateway = sys.argv[8], sys.argv[9], int(sys.argv[10]), int(sys.argv[11]), sys.argv[12]
sim_devices = json.load(open(sim))["devices"]
buses, seen = [], {}
for d in sim_devices:
    if d["listen"] not in seen:
        seen[d["listen"]] = f"bus{len(seen)}"
        buses.append({"name": seen[d["listen"]], "uri": d["listen"], "timeout": "300ms"})
devices = [{"name": d["name"], "bus": seen[d["listen"]], "unit": d["unit"], "profile": d["profile"],
            "interval": "7s" if flip and i % 2 else "5s"} for i, d in enumerate(sim_devices)]
# The Shine sticks: one inverter each, behind datalogger SIMLOG0001, SIMLOG0002, ...
buses.append({"name": "shine", "uri": f"shine+listen://127.0.0.1:{shine_port}"})
devices += [{"name": f"shine{k:02d}", "bus": "shine", "datalogger": f"SIMLOG{k:04d}",
             "profile": "growatt/min-tl-xh", "upload_interval": f"{upload}s"} for k in range(1, sticks + 1)]
json.dump({"buses": buses, "devices": devices,
           "mqtt": {"broker": f"tcp://127.0.0.1:{broker}", "base_topic": "soak", "client_id": "regpoll-soak",
                    "outbox": {"path": f"{disk}/outbox.db"}},
           "history": {"path": f"{disk}/history.db", "retention": "30d", "flush_interval": "1s",
                       "rollups": {"retention": "400d"}},
           "postgres": {"conninfo_file": pg_conninfo, "flush_interval": "1s",
                        "outbox": {"path": f"{disk}/pg-outbox.db"}},
           "gateway": [{"listen": f"tcp://127.0.0.1:{gateway}",
                        "units": {str(i + 1): d["name"] for i, d in enumerate(sim_devices[:247])}}],
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
    client.subscribe([("soak/+/state", 1), ("soak/+/buffered", 1)])
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

# --- the gateway clients: pymodbus (Debian's 3.0), one connection each, a random target every 50 ms
cat > "$tmp/gateway_clients.py" << 'EOF'
import importlib.util, json, logging, os, random, sys, threading, time, types
if importlib.util.find_spec("serial_asyncio") is None:  # pymodbus.client imports it; Debian only recommends it
    placeholder = types.ModuleType("serial_asyncio")
    async def create_serial_connection(*_args, **_kwargs): raise RuntimeError("serial_asyncio is not installed")
    placeholder.create_serial_connection = create_serial_connection
    sys.modules["serial_asyncio"] = placeholder
from pymodbus.client import ModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusException
logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
port, targets, clients, out = int(sys.argv[1]), json.load(open(sys.argv[2])), int(sys.argv[3]), sys.argv[4]
lock = threading.Lock()
faults = {t["fault"]: {"requests": 0, "answers": 0, "explained": 0, "unexplained": 0, "rate": t["rate"]} for t in targets}
count = {"requests": 0, "answers": 0, "explained": 0, "unexplained": 0, "timeouts": 0, "lost": 0,
         "connects": 0, "refused": 0, "codes": {}, "faults": faults, "failures": []}
def failed(what):  # with lock held
    count["unexplained"] += 1
    if len(count["failures"]) < 20: count["failures"].append(f"{time.strftime('%H:%M:%S')} {what}")
def client(k):
    rnd = random.Random(k)
    c = ModbusTcpClient("127.0.0.1", port, timeout=10, retries=1, retry_on_empty=False)
    while True:
        if c.socket is None:
            if not c.connect():
                with lock: count["refused"] += 1
                time.sleep(0.2)
                continue
            with lock: count["connects"] += 1
        t = rnd.choice(targets)
        read = c.read_input_registers if t["kind"] == "input" else c.read_holding_registers
        try:
            r = read(t["address"], t["count"], slave=t["unit"])
        except (ConnectionException, OSError):  # the gateway closed the connection (a reload)
            c.close()
            with lock: count["lost"] += 1
            continue
        except ModbusException as e:
            r = e
        with lock:
            f = faults[t["fault"]]
            count["requests"] += 1; f["requests"] += 1
            code = getattr(r, "exception_code", None) if hasattr(r, "isError") and r.isError() else None
            if hasattr(r, "isError") and not r.isError() and len(getattr(r, "registers", [])) == t["count"]:
                count["answers"] += 1; f["answers"] += 1
            elif code is not None and code in t["explained"]:
                count["explained"] += 1; f["explained"] += 1
                count["codes"][str(code)] = count["codes"].get(str(code), 0) + 1
            elif code is not None:
                f["unexplained"] += 1
                count["codes"][str(code)] = count["codes"].get(str(code), 0) + 1
                failed(f"{t['device']} ({t['fault']}) {t['kind']} {t['address']}+{t['count']}: exception {code}")
            elif "No Response received" in str(r):  # no answer within the timeout
                count["timeouts"] += 1; f["unexplained"] += 1
                failed(f"{t['device']} ({t['fault']}) {t['kind']} {t['address']}+{t['count']}: {r}")
                c.close()
            else:  # the connection failed under the request (pymodbus wraps "reset by peer" so)
                count["lost"] += 1; count["requests"] -= 1; f["requests"] -= 1
                c.close()
        time.sleep(0.05)
for k in range(clients): threading.Thread(target=client, args=(k,), daemon=True).start()
while True:
    time.sleep(1)
    with lock: snapshot = json.dumps(count)
    with open(out + ".tmp", "w") as f: f.write(snapshot)
    os.replace(out + ".tmp", out)
EOF

start_ready sim "$regpoll" simulate --config "$tmp/sim.json" --seconds $((duration + 120))
start_broker
"$python" "$tmp/subscriber.py" "$broker_port" "$tmp/delivered.json" 2>"$tmp/subscriber.err" &
pids+=($!)
sleep 1
write_site 0
# Polled samples, counted from regpoll's own output: a sample per line; a device cycle is a
# run of lines with the same device and timestamp. A Shine record is a device, a timestamp
# and its kind: the announce at each connect carries the holding registers, data records the
# input registers (an announce and a record may have the same second).
shine_holding=$("$python" -c 'import json,sys
p = json.load(open(sys.argv[1]))
print(",".join(x["name"] for x in p["points"] if x.get("register", p["defaults"].get("register")) == "holding"))' \
  "$here/../../devices/growatt/min-tl-xh.json")
"$regpoll" run -c "$tmp/site.json" --output jsonl --status-file "$tmp/status.json" --log-level "${SOAK_LOG_LEVEL:-info}" \
    2> "$tmp/run.log" > >(awk -v out="$tmp/polled" -v keys="$tmp/polled.keys" -v shine_keys="$tmp/shine.keys" \
      -v holding="$shine_holding" '
      BEGIN { n = split(holding, h, ","); for (i = 1; i <= n; i++) is_holding[h[i]] = 1 }
      { split($0, a, "\""); key = a[6] a[3]; samples++ }
      key != last { cycles++; last = key; print a[6], substr(a[3], 2, length(a[3]) - 2) > keys }
      a[6] ~ /^shine/ {
        shine_samples++
        record = a[6] " " substr(a[3], 2, length(a[3]) - 2) " " (a[10] in is_holding ? "announce" : "data")
        if (!(record in seen)) { seen[record] = 1; shine_records++; print record > shine_keys }
      }
      NR % 500 == 0 { print samples, cycles, shine_samples + 0, shine_records + 0 > out; close(out) }
      END { print samples, cycles, shine_samples + 0, shine_records + 0 > out; close(out) }') &
run_pid=$!
pids+=("$run_pid")
# The Shine sticks dial regpoll's shine+listen:// port (and redial every 2 s until it listens).
start_ready shine "$regpoll" simulate --shine "tcp://127.0.0.1:$shine_port" --profile growatt/min-tl-xh \
  --datalogger SIMLOG0001 --inverter SIMINV0001 --sticks "$shine_sticks" --upload-interval "${shine_upload}s" \
  --seconds $((duration + 120))
shine_pid=${pids[-1]}
"$python" "$tmp/gateway_clients.py" "$gateway_port" "$tmp/gateway_targets.json" "$gateway_clients" "$tmp/gateway.json" \
  2>"$tmp/gateway_clients.err" &
gateway_clients_pid=$!
pids+=("$gateway_clients_pid")
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
status_of() {  # status_of SECTION FIELD...: figures of the status file's SECTION object
  "$python" -c 'import json,sys
try: s = json.load(open(sys.argv[1])).get(sys.argv[2], {})
except Exception: s = {}
print(*(s.get(k, 0) for k in sys.argv[3:]))' "$tmp/status.json" "$@"
}
gateway_figures() { "$python" -c 'import json,sys
try: g = json.load(open(sys.argv[1]))
except Exception: g = {}
print(g.get("answers", 0), g.get("explained", 0) + g.get("lost", 0), g.get("unexplained", 0))' "$tmp/gateway.json"; }

printf '%6s %8s %4s %4s %10s %9s %9s %8s %8s %9s %9s %6s %5s %9s %7s %7s %7s %6s %6s %s\n' \
  t rss_kb fds thr samples cycles stored queued dropped msgs_got msgs_polled missed shine \
  pg_rows pg_wait pg_drop gw_ok gw_err gw_bad event | tee "$tmp/series.txt"
start=$(date +%s)
next_restart=$((start + restart_every)); next_reload=$((start + reload_every)); next_sample=$((start + 10))
fill_at=$((start + duration / 2)); fill_until=$((fill_at + full_for)); filled=0; flip=0
pg_down_at=$((start + duration / 4)); pg_up_at=$((pg_down_at + pg_down_for)); pg_state=0; pg_held_max=0
reloads=0; event=start; rss_first=""; fds_first=""
while :; do
  now=$(date +%s)
  [ "$now" -ge $((start + duration)) ] && break
  kill -0 "$run_pid" 2>/dev/null || { echo "soak: regpoll is gone (crash?)"; tail -20 "$tmp/run.log"; exit 1; }
  if [ "$now" -ge "$next_restart" ]; then
    stop_broker; sleep 5; start_broker; next_restart=$((now + restart_every)); event="$event broker-restart"
  fi
  if [ "$now" -ge "$next_reload" ]; then
    flip=$((1 - flip)); write_site "$flip"; kill -HUP "$run_pid"; next_reload=$((now + reload_every)); event="$event reload"
    reloads=$((reloads + 1))
  fi
  if [ "$pg_state" = 0 ] && [ "$pg_down_for" -gt 0 ] && [ "$now" -ge "$pg_down_at" ]; then
    stop_pg; pg_state=1; event="$event pg-stop"
  fi
  if [ "$pg_state" = 1 ] && [ "$now" -ge "$pg_up_at" ]; then
    start_pg; pg_state=2; event="$event pg-start"
  fi
  if [ "$pg_state" = 1 ]; then  # what the PostgreSQL sink holds while the server is away
    read -r pg_queued pg_outbox < <(status_of postgres queued outbox)
    [ $((pg_queued + pg_outbox)) -gt "$pg_held_max" ] && pg_held_max=$((pg_queued + pg_outbox))
  fi
  if [ "$filled" = 0 ] && [ "$full_for" -gt 0 ] && [ "$now" -ge "$fill_at" ]; then
    dd if=/dev/zero of="$disk/fill" bs=64k 2>/dev/null || true; filled=1; event="$event disk-full"
  fi
  if [ "$filled" = 1 ] && [ "$now" -ge "$fill_until" ]; then
    rm -f "$disk/fill"; filled=2; event="$event disk-freed"
  fi
  if [ "$now" -ge "$next_sample" ]; then
    rss=$(stat_of VmRSS); thr=$(stat_of Threads); fds=$(ls "/proc/$run_pid/fd" | wc -l)
    read -r samples cycles shine_samples shine_records < "$tmp/polled" 2>/dev/null || { samples=0; cycles=0; shine_records=0; }
    missed=$( { grep -o '[0-9]* missed deadlines' "$tmp/run.log" || true; } | awk '{s += $1} END {print s + 0}')
    read -r pg_queued pg_outbox pg_dropped < <(status_of postgres queued outbox dropped)
    read -r gw_ok gw_err gw_bad < <(gateway_figures)
    printf '%6d %8d %4d %4d %10d %9d %9d %8d %8d %9d %9d %6d %5d %9s %7d %7d %7d %6d %6d %s\n' $((now - start)) \
      "$rss" "$fds" "$thr" "$samples" "$cycles" "$(history_field stored)" "$(history_field queued)" \
      "$(history_field dropped)" "$(delivered)" "$cycles" "$missed" "$shine_records" "$(pg_rows)" \
      $((pg_queued + pg_outbox)) "$pg_dropped" "$gw_ok" "$gw_err" "$gw_bad" "${event# }" | tee -a "$tmp/series.txt"
    [ -z "$rss_first" ] && [ $((now - start)) -ge 60 ] && { rss_first=$rss; fds_first=$fds; }
    event=""; next_sample=$((now + sample_every))
  fi
  sleep 1
done
[ "$filled" = 1 ] && rm -f "$disk/fill"
[ "$pg_state" = 1 ] && { start_pg; pg_state=2; }

# --- the end: stop regpoll, let the broker hand the subscriber what is left, then judge
rss_last=$(stat_of VmRSS); fds_last=$(ls "/proc/$run_pid/fd" | wc -l)
sleep 1.5  # the web clients' last figures
kill -TERM "$web_pid"; wait "$web_pid" 2>/dev/null || true  # before regpoll, which closes their streams
gateway_clients_ran=1; kill -0 "$gateway_clients_pid" 2>/dev/null || gateway_clients_ran=0
kill -TERM "$gateway_clients_pid" 2>/dev/null || true; wait "$gateway_clients_pid" 2>/dev/null || true  # and the gateway
kill -TERM "$run_pid"
rc=0; wait "$run_pid" || rc=$?
kill -TERM "$shine_pid" 2>/dev/null || true; wait "$shine_pid" 2>/dev/null || true  # its summary: records sent, acked
sleep 5
read -r samples cycles shine_samples shine_records < "$tmp/polled"
got=$(delivered)
pg_final=$(pg_rows)
pg_shine=$("$psql" -X -A -t -q "$pg_conninfo" -c "SELECT count(*) FROM history WHERE device LIKE 'shine%'" 2>/dev/null || echo -)
"$python" - "$disk/history.db" "$tmp/status.json" "$samples" "$cycles" "$got" "$rc" \
    "${rss_first:-0}" "$rss_last" "${fds_first:-0}" "$fds_last" "$tmp/run.log" \
    "$tmp/polled.keys" "$tmp/delivered.json.keys" "$tmp/web.json" "$tmp/series.txt" \
    "$pg_final" "$pg_shine" "$pg_down_for" "$pg_held_max" "$shine_samples" "$tmp/shine.keys" "$tmp/shine.err" \
    "$shine_sticks" "$shine_upload" "$duration" "$tmp/gateway.json" "$reloads" "$gateway_clients" \
    "$gateway_clients_ran" "$tmp/gateway_clients.err" << 'EOF'
import json, re, sqlite3, sys
db, status, samples, cycles, got, rc, rss0, rss1, fds0, fds1, log, polled_keys, got_keys, web, series_file = sys.argv[1:16]
pg_rows, pg_shine, pg_down_for, pg_held_max, shine_samples, shine_keys_file, shine_log = sys.argv[16:23]
sticks, upload, duration, gateway, reloads, gateway_clients, gateway_ran, gateway_err = sys.argv[23:31]
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
# Counted per device and timestamp, as the subscriber counts: a Shine announce and a record of
# the same second are two cycles polled but one key.
polled_set = set(open(polled_keys).read().split("\n")) - {""}
print(f"MQTT: {got} state messages received for {len(polled_set)} device cycles ({cycles} runs polled) "
      f"(missing {len(polled_set) - got})")
missing = sorted(polled_set - set(open(got_keys).read().split("\n")), key=lambda k: k.split(" ")[-1])
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
ok = (rc == 0 and check == "ok" and rows + dropped == samples and got == len(polled_set) and crashes == 0
      and w["requests"] > 0 and w["events"] > 0 and w["failed"] == 0
      and rss1 <= rss0 * 1.25 + 4096 + page_caches_kb and fds1 <= fds0 + 4)
verdicts = [("history, MQTT, web, RSS, descriptors", ok)]

# PostgreSQL: every sample polled is a row there, or counted as dropped by the outbox bound;
# while the server was away the sink held what was polled, and nothing waits at the end (the
# writer logs "postgres: N samples wait in <outbox> for the next run" otherwise; the status
# file's last figures are from before the sinks drained).
status_json = json.load(open(status))
p = status_json.get("postgres", {})
pg_rows = int(pg_rows) if pg_rows.isdigit() else -1
pg_dropped = p.get("dropped", 0)
pg_left = re.findall(r"postgres: (\d+) samples wait in .* for the next run", text)
held = int(pg_held_max)
print(f"PostgreSQL: {pg_rows} rows + {pg_dropped} dropped by the outbox bound = {pg_rows + pg_dropped} "
      f"(missing {samples - pg_rows - pg_dropped}); {pg_left[-1] if pg_left else 0} left in the outbox at exit; "
      + (f"down for {pg_down_for} s, meanwhile up to {held} samples held" if int(pg_down_for) > 0 else "never stopped"))
pg_ok = (pg_rows >= 0 and pg_rows + pg_dropped == samples and not pg_left
         and (int(pg_down_for) == 0 or held > 0)
         and (int(pg_down_for) == 0 or "postgres: the outbox is empty again" in text))
verdicts.append(("PostgreSQL", pg_ok))

# Shine: each record (announce or data) is a device cycle; every record a stick had acked
# reached regpoll's output, and at least 90 % of the data records due in the run arrived.
sticks, upload, duration, shine_samples = int(sticks), int(upload), int(duration), int(shine_samples)
try:
    shine_keys = set(open(shine_keys_file).read().split("\n")) - {""}
except OSError:
    shine_keys = set()
data_records = sum(1 for k in shine_keys if k.endswith(" data"))
sim = re.search(r"sim: (\d+) connects, (\d+) records sent \((\d+) again after no ack\), (\d+) acked, "
                r"(\d+) kept as buffered, (\d+) discarded", open(shine_log, errors="replace").read())
connects, sent, resent, acked, kept, discarded = map(int, sim.groups()) if sim else (0, 0, 0, -1, 0, 0)
expected = sticks * (duration // upload)
shine_rows = con.execute("select count(*) from history where device like 'shine%'").fetchone()[0]
print(f"Shine: {sticks} sticks sent {sent} records ({resent} again after no ack, {connects} connects), "
      f"{acked} acked, {kept} still kept, {discarded} discarded; regpoll decoded {len(shine_keys)} "
      f"({len(shine_keys) - data_records} announces, {data_records} data records, {expected} due at one per "
      f"{upload} s; {shine_samples} samples); history {shine_rows} rows, PostgreSQL {pg_shine}")
shine_ok = (sim is not None and acked == len(shine_keys) and discarded == 0
            and data_records >= 0.9 * expected)
verdicts.append(("Shine", shine_ok))

# Gateway: answers against errors, per listener; only the faults explain errors.
try:
    g = json.load(open(gateway))
except (OSError, ValueError):
    g = {"requests": 0, "answers": 0, "explained": 0, "unexplained": 0, "timeouts": 0, "lost": 0,
         "connects": 0, "refused": 0, "codes": {}, "faults": {}, "failures": ["no figures from the gateway clients"]}
st = status_json.get("gateways", [{}])
print(f"gateway: {g['requests']} requests by {gateway_clients} clients, {g['answers']} answered, "
      f"{g['explained']} exceptions the faults explain (codes {g['codes']}), {g['unexplained']} not explained "
      f"({g['timeouts']} without answer); {g['lost']} connections lost at {reloads} reloads "
      f"({g['connects']} connects, {g['refused']} refused)")
if gateway_ran != "1":
    print("  the gateway clients stopped before the end:", open(gateway_err, errors="replace").read()[-400:])
gw_ok = gateway_ran == "1" and g["requests"] > 0 and g["answers"] > 0 and g["unexplained"] == 0
gw_ok = gw_ok and g["lost"] <= int(gateway_clients) * (int(reloads) + 1)
for name, f in sorted(g["faults"].items()):
    errors = f["explained"] + f["unexplained"]
    rate = errors / f["requests"] if f["requests"] else 0
    bound = 2 * f["rate"]
    within = rate <= bound
    gw_ok = gw_ok and within and f["requests"] > 0
    print(f"  {name:10s} {f['requests']:7d} requests, {f['answers']:7d} answered, {errors:5d} errors "
          f"= {100 * rate:.2f} % (bound {100 * bound:.1f} %){'' if within else ' TOO MANY'}")
for f in g["failures"][:5]: print("  ", f)
verdicts.append(("gateway", gw_ok))

print("soak:", "PASS" if all(v for _, v in verdicts) else "FAIL",
      "(" + ", ".join(f"{n} {'ok' if v else 'FAILED'}" for n, v in verdicts) + ")")
sys.exit(0 if all(v for _, v in verdicts) else 1)
EOF
