#!/bin/bash
# The history and the MQTT outbox on a disk that fills up while `regpoll run` polls, and
# empties again: polling goes on, each failure is said once (not per commit), history rows
# beyond max_queue are dropped oldest first and counted in the status file, MQTT messages
# wait in memory (also across reloads, with or without a new MQTT connection), writing resumes by itself when space returns, and the SQLite files pass
# PRAGMA integrity_check. The broker is away all along, so every message goes to the outbox.
#
# The disk is a 16 MiB tmpfs (room for SQLite's WAL) in a mount namespace of this test's own
# (scripts/lib/mount_namespace.sh), filled with dd.
# Usage: full_disk_test.sh REGPOLL_BINARY
set -euo pipefail
regpoll=$1
python=/usr/bin/python3

source "$(dirname "$0")/../../scripts/lib/mount_namespace.sh"
in_mount_namespace "$@"

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    umount "$work/disk" 2> /dev/null || true
    umount "$work" 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    echo "--- run.log"; cat "$work/run.log" || true
    exit 1
}

mkdir "$work/disk"
small_disk "$work/disk" 16m || fail "no small disk"

"$regpoll" simulate --profile eastron/sdm630 --listen tcp://127.0.0.1:0 --seconds 120 \
    > "$work/sim.out" 2> "$work/sim.log" &
pids+=($!)
for _ in $(seq 100); do grep -q '^READY ' "$work/sim.out" && break; sleep 0.1; done
port=$(sed -n 's/^READY //p' "$work/sim.out" | head -1)
[ -n "$port" ] || fail "the simulator did not start"

cat > "$work/site.json" << EOF
{ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:$port", "timeout": "1s" } ],
  "devices": [ { "name": "meter", "bus": "lab", "profile": "eastron/sdm630", "interval": "100ms" } ],
  "history": { "path": "$work/disk/history.db", "flush_interval": "200ms", "max_queue": 500 },
  "mqtt": { "broker": "tcp://127.0.0.1:1", "outbox": { "path": "$work/disk/outbox.db" } } }
EOF
"$regpoll" run -c "$work/site.json" --output none --status-file "$work/status.json" 2> "$work/run.log" &
run_pid=$!
pids+=("$run_pid")

rows() { "$python" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from history").fetchone()[0])' "$work/disk/history.db"; }
outbox() { "$python" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from outbox").fetchone()[0])' "$work/disk/outbox.db"; }
status() { "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["history"][sys.argv[2]])' "$work/status.json" "$1"; }
# The status file is rewritten every few seconds: wait (up to 15 s) until `cond` holds.
await_status() {
    local cond=$1
    for _ in $(seq 150); do
        [ -s "$work/status.json" ] && "$python" -c "import json,sys; h=json.load(open(sys.argv[1]))['history']; sys.exit(0 if ($cond) else 1)" "$work/status.json" && return 0
        sleep 0.1
    done
    return 1
}

sleep 3
before=$(rows)
[ "$before" -gt 0 ] || fail "no rows before the disk filled"

dd if=/dev/zero of="$work/disk/fill" bs=4k 2> /dev/null || true  # until ENOSPC
echo "disk full after $before rows"
sleep 7
kill -0 "$run_pid" || fail "regpoll stopped while the disk was full"
await_status "h['failed_commits'] >= 3 and h['dropped'] > 0" || fail "the status file does not show failing commits and drops"
failed=$(status failed_commits)
dropped=$(status dropped)
said=$(grep -c 'history: commit of .* failed' "$work/run.log" || true)
echo "while full: $failed failed commits, said $said times, $dropped rows dropped"
[ "$failed" -ge 3 ] || fail "expected commits to keep failing, status says $failed"
[ "$said" -ge 1 ] && [ "$said" -lt "$failed" ] || fail "the failure was said $said times in $failed commits"
[ "$dropped" -gt 0 ] || fail "more rows than max_queue waited but none were dropped"
grep -q 'rows dropped so far, oldest first' "$work/run.log" || fail "the drops were not said"
outbox_said=$(grep -c 'MQTT: .*outbox.db.*messages wait in memory' "$work/run.log" || true)
[ "$outbox_said" = 1 ] || fail "the outbox failure was said $outbox_said times, not once"
outbox_full=$(outbox)

# A reload while the disk is full that leaves the "mqtt" section alone keeps the sink, and
# with it the messages waiting in memory: nothing is handed over, and the outbox failure is
# not found (and said) again by a new sink.
kill -HUP "$run_pid"
for _ in $(seq 100); do [ "$(grep -c 'SIGHUP: reloading' "$work/run.log")" = 1 ] && break; sleep 0.1; done
sleep 1.5
kill -0 "$run_pid" || fail "regpoll stopped at a reload while the disk was full"
! grep -q 'carried over the reload' "$work/run.log" || fail "a reload with the same mqtt section replaced the sink"
outbox_said=$(grep -c 'MQTT: .*outbox.db.*messages wait in memory' "$work/run.log" || true)
[ "$outbox_said" = 1 ] || fail "after a reload that kept the sink, the outbox failure was said $outbox_said times"
echo "reload while full, same mqtt section: the sink and its waiting messages stayed"

# A reload that changes the "mqtt" section makes a new sink: the messages held in memory go
# to it instead of being lost with the old one.
sed -i 's#"mqtt": { "broker"#"mqtt": { "keepalive": "31s", "broker"#' "$work/site.json"
grep -q '"keepalive": "31s"' "$work/site.json" || fail "the test could not change the mqtt section"
kill -HUP "$run_pid"
for _ in $(seq 100); do grep -q 'carried over the reload' "$work/run.log" && break; sleep 0.1; done
carried=$(sed -n 's/.*MQTT: \([0-9]*\) messages the outbox could not take carried over the reload.*/\1/p' "$work/run.log" | tail -1)
echo "reload while full: ${carried:-no} messages carried over"
[ "${carried:-0}" -gt 0 ] || fail "a reload with a full disk did not carry the waiting messages over"
sleep 1

rm "$work/disk/fill"
freed_ms=$(date +%s%3N)
# The writer backs off up to 10 s between attempts: give it 15.
for _ in $(seq 150); do grep -q 'history: commits succeed again' "$work/run.log" && break; sleep 0.1; done
grep -q 'history: commits succeed again' "$work/run.log" || fail "writing did not resume"
sleep 1
grep -q 'MQTT: the outbox takes messages again' "$work/run.log" || fail "the outbox did not resume"
outbox_after=$(outbox)
echo "outbox: $outbox_full messages while full, $outbox_after after"
[ "$outbox_after" -gt "$outbox_full" ] || fail "no message reached the outbox after space returned"
[ "$outbox_after" -ge $((outbox_full + carried)) ] || fail "the $carried messages carried over the reload did not all reach the outbox"
await_status "h['error'] == ''" || fail "the status still shows an error"

kill -TERM "$run_pid"
wait "$run_pid" || fail "regpoll did not stop cleanly"
after=$(rows)
check=$("$python" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("pragma integrity_check").fetchone()[0])' "$work/disk/history.db")
newest=$("$python" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select max(ts) from history").fetchone()[0])' "$work/disk/history.db")
echo "after: $after rows, integrity_check: $check"
[ "$check" = ok ] || fail "integrity_check: $check"
check=$("$python" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("pragma integrity_check").fetchone()[0])' "$work/disk/outbox.db")
[ "$check" = ok ] || fail "outbox integrity_check: $check"
[ "$after" -gt "$before" ] || fail "no rows were written after space returned"
[ "$newest" -gt "$freed_ms" ] || fail "the newest row ($newest) is older than the moment space returned ($freed_ms)"
echo "PASS"
