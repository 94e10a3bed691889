#!/usr/bin/env bash
# The whole job (poll -> decode -> JSON -> MQTT) against the C peer (libmodbus +
# libmosquitto) in one run of the team's harness (shared/bench/run-peers.sh), for the rows of
# issue 19: 1,000 devices at 1 s (CPU and peak RSS), 1 and 10 devices back to back, and 10
# devices answering after 2 ms. It runs the harness twice, regpoll at QoS 0 (as the peers
# publish) and at QoS 1 (regpoll's default), each time with the C peer interleaved, and
# prints both tables. Figures only: the exit status says whether the runs happened.
#
#   tests/bench/peer_cost.sh [BUILD_DIR]         (default build)
#   REGPOLL=PATH              another regpoll binary (an older build, for a before/after table)
#   HARNESS=../shared/bench   the harness to copy (it runs in a temporary copy, as its README asks)
#   REPS=3                    repetitions; the tables show medians
#   PEERS="c"                 harness peers beside regpoll ("c node" adds node modbus-serial)
#   QOS="0 1"                 the QoS levels to run regpoll at
#   SCHED=1000  MAX_DEVICES="1 10"  MAX_DELAYS="0 2000"   the rows
#   KEEP=DIR                  keep the harness's results (raw.csv, logs) in DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
regpoll=${REGPOLL:-$build/src/app/regpoll}
[ -x "$regpoll" ] || { echo "peer_cost: $regpoll missing (make build)" >&2; exit 2; }
harness=${HARNESS:-$root/../shared/bench}
[ -x "$harness/run-peers.sh" ] || { echo "peer_cost: no harness at $harness (set HARNESS)" >&2; exit 2; }
reps=${REPS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/regpoll-peer-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$harness/." "$work/harness"
for qos in ${QOS:-0 1}; do
  out=$work/results-qos$qos
  echo "## regpoll ($regpoll) at QoS $qos beside ${PEERS:-c}: $(date -u +%FT%TZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
  (cd "$work/harness" && MINE_TOPIC='bench/mine/+/state' ./run-peers.sh \
     --peers "${PEERS:-c}" --reps "$reps" --out "$out" \
     --sched "${SCHED:-1000}" --max-devices "${MAX_DEVICES:-1 10}" --max-delays "${MAX_DELAYS:-0 2000}" \
     --mine "env REGPOLL=$regpoll MINE_QOS=$qos bash $root/tests/bench/mine.sh" > "$work/run-qos$qos.log" 2>&1) ||
    { tail -20 "$work/run-qos$qos.log" >&2; echo "peer_cost: the harness failed (QoS $qos)" >&2; exit 1; }
  cat "$out/table.md"
  echo
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP"; cp -r "$out" "$KEEP/"; fi
done
