#!/usr/bin/env bash
# Rebuilds src/app/regpoll.order, the list of regpoll's functions that lld places first and
# together when it links bin/regpoll (src/app/CMakeLists.txt says why: peak RSS).
#
# It runs the benchmark's job (tests/bench/mine.sh: DEVICES simulated devices polled every
# second, one JSON state message per poll to a local mosquitto) under valgrind's callgrind,
# once at QoS 0 and once at QoS 1, each stopped with SIGINT so shutdown runs too. Every
# function of regpoll's own code that ran (as the optimised binary has it, after inlining)
# goes into the list: first the static initializers, then the rest by the instructions they
# executed, most first. Names the next build no longer has are ignored by the linker, so an
# old list does no harm; it only places less.
#
#   tests/bench/text_order.sh [BUILD_DIR]      (default build; writes src/app/regpoll.order)
#   OUT=FILE          write the list elsewhere
#   DEVICES=20        simulated devices; SECONDS_EACH=25 the length of each run
#   HARNESS=../shared/bench   where the team harness's mbsim.c is
#
# Needs valgrind, mosquitto, cc, nm and /usr/bin/python3. Uses loopback ports only and ends
# by itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
regpoll=$build/src/app/regpoll
out=${OUT:-$root/src/app/regpoll.order}
devices=${DEVICES:-20}
seconds=${SECONDS_EACH:-25}
harness=${HARNESS:-$root/../shared/bench}
for tool in valgrind mosquitto cc nm; do
  command -v "$tool" > /dev/null || { echo "text_order: $tool missing" >&2; exit 2; }
done
[ -x "$regpoll" ] || { echo "text_order: $regpoll missing (make build)" >&2; exit 2; }
[ -f "$harness/peers/mbsim.c" ] || { echo "text_order: no $harness/peers/mbsim.c (set HARNESS)" >&2; exit 2; }

. "$root/scripts/lib/children.sh" text-order
listening() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
base=$(free_ports "$devices")
mqtt_port=$(free_port)

cc -O2 -o "$tmp/mbsim" "$harness/peers/mbsim.c"
"$tmp/mbsim" --ports "$devices" --base-port "$base" --delay-us 0 --seconds $((4 * seconds + 120)) \
  > "$tmp/mbsim.out" 2>&1 &
pids+=($!)
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$mqtt_port" > "$tmp/mosquitto.conf"
mosquitto -c "$tmp/mosquitto.conf" > "$tmp/mosquitto.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  listening "$mqtt_port" && listening $((base + devices - 1)) && break
  sleep 0.05
done

# mine.sh runs "$REGPOLL run ..."; this wrapper puts valgrind in front.
for qos in 0 1; do
  wrapper=$tmp/regpoll-qos$qos
  printf '#!/bin/sh\nexec valgrind --tool=callgrind --demangle=no --callgrind-out-file=%s %s "$@"\n' \
    "$tmp/callgrind-qos$qos.out" "$regpoll" > "$wrapper"
  chmod +x "$wrapper"
  echo "text_order: $devices devices, QoS $qos, ${seconds} s under callgrind"
  rc=0
  timeout -s INT -k 60 "$seconds" env REGPOLL="$wrapper" MINE_QOS=$qos BENCH_DEVICES="$devices" \
    BENCH_BASE_PORT="$base" BENCH_MQTT_PORT="$mqtt_port" bash "$root/tests/bench/mine.sh" \
    > "$tmp/run-qos$qos.log" 2>&1 || rc=$?
  # 124: stopped by the timeout's SIGINT, as meant; regpoll itself ends with 0 or 130 then.
  case $rc in 0|124|130) ;; *) tail -20 "$tmp/run-qos$qos.log" >&2; echo "text_order: run failed ($rc)" >&2; exit 1 ;; esac
  [ -s "$tmp/callgrind-qos$qos.out" ] || { echo "text_order: callgrind wrote nothing (QoS $qos)" >&2; exit 1; }
done

nm --defined-only -f posix "$regpoll" | awk '$2 ~ /^[tTwW]$/ { print $1 }' > "$tmp/text-symbols"
/usr/bin/python3 - "$tmp/text-symbols" "$out" "$tmp"/callgrind-qos*.out <<'EOF'
import re, sys
text = set(open(sys.argv[1]).read().split())
cost = {}
for path in sys.argv[3:]:
    names = {}   # callgrind's name compression: "(id) name" defines, "(id)" refers
    current, after_calls = None, False
    for line in open(path, errors="replace"):
        if line.startswith(("fn=", "cfn=")):
            m = re.match(r"c?fn=(?:\((\d+)\))?\s*(.*)", line.rstrip("\n"))
            ident, name = m.group(1), m.group(2)
            if ident and name: names[ident] = name
            elif ident: name = names.get(ident, "")
            if line.startswith("fn="):
                current = name
                cost.setdefault(current, 0)
        elif line.startswith("calls="):
            after_calls = True          # the next cost line is the call's inclusive cost
        elif line[:1].isdigit() or line[:1] in "+-*":
            if after_calls:
                after_calls = False
            elif current is not None:
                fields = line.split()
                if len(fields) > 1 and fields[1].isdigit():
                    cost[current] += int(fields[1])
ran = [n for n in cost if n in text]
# Every static initializer runs at start-up, whether or not callgrind named it.
first = sorted(n for n in text if n.startswith("_GLOBAL__sub_I_"))
rest = sorted((n for n in ran if not n.startswith("_GLOBAL__sub_I_")), key=lambda n: (-cost[n], n))
with open(sys.argv[2], "w") as f:
    f.write("\n".join(first + rest) + "\n")
print(f"text_order: {len(first) + len(rest)} functions ({len(first)} static initializers) "
      f"of {len(text)} in regpoll's code -> {sys.argv[2]}")
EOF
