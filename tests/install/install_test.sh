#!/usr/bin/env bash
# The installed regpoll, end to end, with the scripts docker/Dockerfile runs:
#   1. scripts/install-deps.sh --build and --runtime (the image's package steps)
#   2. scripts/build-release.sh (the image's build step) into a staging root, and the same
#      build installed with `cmake --install --prefix` elsewhere: the layout of both
#   3. the installed binary finds the installed profile library by itself (no REGPOLL_DEVICES,
#      never the source tree), runs the installed example config through `validate`, and
#      polls `regpoll simulate` (`run --once --output jsonl`, then a live run `regpoll health`
#      calls healthy)
#   4. every shared library the binary needs comes with the --runtime packages
#   5. the .deb: contents, control fields, conffiles, maintainer scripts, and its binary run
#      from the unpacked package
#   tests/install/install_test.sh SOURCE_DIR BUILD_DIR    (BUILD_DIR/release is kept between runs)
set -euo pipefail
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
release="$build/release"
source "$src/scripts/lib/children.sh" install-test
unset REGPOLL_DEVICES REGPOLL_STATUS_FILE RUNTIME_DIRECTORY NOTIFY_SOCKET

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
expect_file() { [ -f "$1" ] || fail "missing $1"; }
expect_grep() {  # pattern file
  grep -q -- "$1" "$2" || { echo "--- $2:" >&2; cat "$2" >&2; fail "\"$1\" not in $2"; }
}
wait_ready() {  # stdout-file: prints the port of "READY <port>"
  for _ in $(seq 100); do
    line=$(grep -m1 '^READY ' "$1" 2>/dev/null || true)
    [ -n "$line" ] && { echo "${line#READY }"; return; }
    sleep 0.1
  done
  fail "no READY line in $1: $(cat "${1%.out}.log" 2>/dev/null)"
}

step "1. package steps of the image"
bash "$src/scripts/install-deps.sh" --build
bash "$src/scripts/install-deps.sh" --runtime

step "2. release build, staged as the image stages it"
bash "$src/scripts/build-release.sh" "$release" "$tmp/stage"
stage="$tmp/stage"
[ -x "$stage/usr/bin/regpoll" ] || fail "no executable $stage/usr/bin/regpoll"
expect_file "$stage/etc/regpoll/regpoll.json"
[ ! -e "$stage/usr/etc" ] || fail "with the prefix /usr the configuration belongs in /etc, not /usr/etc"
expect_file "$stage/usr/share/regpoll/devices/schema.json"
expect_file "$stage/usr/share/doc/regpoll/README.md"
expect_file "$stage/usr/share/doc/regpoll/examples/example.json"
expect_file "$stage/usr/lib/sysusers.d/regpoll.conf"
unit="$stage/usr/lib/systemd/system/regpoll.service"
expect_file "$unit"
expect_grep "^ExecStart=/usr/bin/regpoll run --config /etc/regpoll/regpoll.json " "$unit"
expect_grep "^Documentation=file:///usr/share/doc/regpoll/README.md" "$unit"
grep -q "@REGPOLL_" "$unit" && fail "unfilled placeholder in $unit"
# Every profile of the library is installed.
(cd "$src/devices" && find . -name '*.json' | sort) > "$tmp/source-profiles"
(cd "$stage/usr/share/regpoll/devices" && find . -name '*.json' | sort) > "$tmp/installed-profiles"
diff "$tmp/source-profiles" "$tmp/installed-profiles" || fail "the installed profile library differs from devices/"

step "2b. the same build installed with --prefix"
prefix="$tmp/prefix"
cmake --install "$release" --prefix "$prefix" > "$tmp/install.log"
[ -x "$prefix/bin/regpoll" ] || fail "no executable $prefix/bin/regpoll"
expect_file "$prefix/etc/regpoll/regpoll.json"
expect_file "$prefix/share/regpoll/devices/eastron/sdm630.json"
expect_grep "^ExecStart=$prefix/bin/regpoll run --config $prefix/etc/regpoll/regpoll.json " \
  "$prefix/lib/systemd/system/regpoll.service"

step "3. the installed binary uses the installed library, and only that"
echo '{ "buses": [ { "name": "b", "uri": "tcp://127.0.0.1:1" } ],
        "devices": [ { "name": "d", "bus": "b", "profile": "nobody/nothing" } ] }' > "$tmp/unknown.json"
for bin in "$stage/usr/bin" "$prefix/bin"; do
  set +e
  (cd / && "$bin/regpoll" validate -q -c "$tmp/unknown.json") > "$tmp/unknown.out" 2>&1
  code=$?
  set -e
  [ "$code" = 2 ] || fail "validate with an unknown profile exited $code"
  expect_grep "unknown profile \"nobody/nothing\" (looked in $(cd "$bin/.." && pwd -P)/share/regpoll/devices)" \
    "$tmp/unknown.out"
done
(cd / && "$stage/usr/bin/regpoll" validate -q -c "$stage/etc/regpoll/regpoll.json") ||
  fail "the staged example configuration does not validate"
(cd / && "$prefix/bin/regpoll" validate -q -c "$prefix/etc/regpoll/regpoll.json") ||
  fail "the installed example configuration does not validate"

regpoll="$prefix/bin/regpoll"
(cd / && exec "$regpoll" simulate --profile eastron/sdm630 --unit 3 --listen tcp://127.0.0.1:0) \
  > "$tmp/sim.out" 2> "$tmp/sim.log" &
pids+=($!)
port=$(wait_ready "$tmp/sim.out")
cat > "$tmp/site.json" <<JSON
{ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:$port", "timeout": "1s" } ],
  "devices": [ { "name": "meter", "bus": "lab", "unit": 3, "profile": "eastron/sdm630", "interval": "500ms" } ] }
JSON
(cd / && "$regpoll" run --once --output jsonl -c "$tmp/site.json") > "$tmp/once.jsonl" 2> "$tmp/once.log" ||
  { cat "$tmp/once.log" >&2; fail "run --once against the simulator failed"; }
expect_grep '"device":"meter","point":"voltage_l1"' "$tmp/once.jsonl"
expect_grep '"quality":"good"' "$tmp/once.jsonl"

# The installed example plugins are found by name, next to the installed binary.
expect_file "$prefix/lib/regpoll/plugins/influxdb.so"
expect_file "$prefix/lib/regpoll/plugins/growatt_status.so"
expect_file "$prefix/include/regpoll/regpoll_plugin.h"
cat > "$tmp/site-plugin.json" <<JSON
{ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:$port", "timeout": "1s" } ],
  "devices": [ { "name": "meter", "bus": "lab", "unit": 3, "profile": "eastron/sdm630", "interval": "500ms" } ],
  "plugins": [ { "path": "influxdb", "config": { "output": "$tmp/lines.txt" } } ] }
JSON
(cd / && "$regpoll" run --once --output none -c "$tmp/site-plugin.json") 2> "$tmp/plugin.log" ||
  { cat "$tmp/plugin.log" >&2; fail "run --once with the installed influxdb plugin failed"; }
expect_grep "$prefix/lib/regpoll/plugins/influxdb.so" "$tmp/plugin.log"
expect_grep '^regpoll,device=meter,point=voltage_l1' "$tmp/lines.txt"

# A live run and `regpoll health`, as the image's HEALTHCHECK asks it.
(cd / && exec "$regpoll" run --output none -c "$tmp/site.json" --status-file "$tmp/status.json") \
  2> "$tmp/run.log" &
run_pid=$!
pids+=("$run_pid")
healthy=""
for _ in $(seq 50); do
  if REGPOLL_STATUS_FILE="$tmp/status.json" "$regpoll" health > "$tmp/health.out"; then healthy=1; break; fi
  sleep 0.2
done
[ -n "$healthy" ] || { cat "$tmp/health.out" "$tmp/run.log" >&2; fail "regpoll health never said healthy"; }
expect_grep "^healthy: .*is polling: 1 of 1 devices answering" "$tmp/health.out"
kill -TERM "$run_pid"
wait "$run_pid" || fail "regpoll run did not exit cleanly on SIGTERM"
if REGPOLL_STATUS_FILE="$tmp/status.json" "$regpoll" health > "$tmp/health.out"; then
  fail "regpoll health says healthy after regpoll stopped"
fi
expect_grep "stopped" "$tmp/health.out"

step "4. the --runtime packages bring every shared library the binary needs"
runtime=$(sed -n 's/^runtime_pkgs=(\(.*\)).*/\1/p' "$src/scripts/install-deps.sh")
[ -n "$runtime" ] || fail "no runtime_pkgs=(...) line in scripts/install-deps.sh"
# The packages those bring along (their Depends, recursively), and what every Debian has.
declare -A have=([libc6]=1 [libstdc++6]=1 [libgcc-s1]=1)
for p in $runtime; do
  dpkg-query -W "$p" > /dev/null 2>&1 || fail "runtime package $p is not installed"
done
read -r -a queue <<< "$runtime"
while [ ${#queue[@]} -gt 0 ]; do
  p=${queue[0]}; queue=("${queue[@]:1}")
  [ -n "${have[$p]:-}" ] && continue
  have[$p]=1
  # Alternatives and virtual packages that are not installed lead nowhere.
  deps=$(dpkg-query -W -f='${Depends}, ${Pre-Depends}' "$p" 2>/dev/null) || continue
  for d in $(echo "$deps" | tr ',|' '\n' | sed 's/(.*)//; s/:any//; s/ //g' | grep -v '^$'); do
    [ -n "${have[$d]:-}" ] || queue+=("$d")
  done
done
owner_of() {  # a library path: the package that installed it (merged /usr or not)
  local real
  real=$(readlink -f "$1")
  for candidate in "$real" "$1" "${real#/usr}" "/usr$real"; do
    dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1 && return
  done
}
for lib in $(objdump -p "$regpoll" | awk '/NEEDED/ {print $2}'); do
  path=$(ldd "$regpoll" | awk -v l="$lib" '$1 == l {print $3}')
  [ -n "$path" ] || fail "$lib is not found"
  owner=$(owner_of "$path")
  [ -n "$owner" ] || fail "no package owns $path ($lib)"
  [ -n "${have[$owner]:-}" ] || fail "$lib comes from $owner, which install-deps.sh --runtime does not bring"
  echo "  $lib: $owner"
done

step "5. the .deb"
cpack -G DEB --config "$release/CPackConfig.cmake" -B "$tmp/deb" > "$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log" >&2; fail "cpack -G DEB failed"; }
deb=$(ls "$tmp"/deb/regpoll_*.deb)
dpkg-deb -I "$deb" > "$tmp/deb-info"
dpkg-deb -c "$deb" > "$tmp/deb-contents"
expect_grep "Package: regpoll" "$tmp/deb-info"
# Debian policy 5.6.13 (lintian's extended-description-line-too-long): 80 columns at most.
dpkg-deb -f "$deb" Description > "$tmp/deb-description"
[ "$(wc -l < "$tmp/deb-description")" -ge 3 ] || fail "the .deb's description is not wrapped: $(cat "$tmp/deb-description")"
awk 'length($0) > 80 { bad = 1; print "  " length($0) " columns: " $0 } END { exit bad }' "$tmp/deb-description" ||
  fail "the .deb's description has lines over 80 columns"
for dep in libpaho-mqttpp3-1 libsqlite3-0 libpq5 libspdlog1.10 libc6; do expect_grep "Depends:.*$dep" "$tmp/deb-info"; done
for f in postinst prerm postrm conffiles; do expect_grep " $f" "$tmp/deb-info"; done
for f in ./usr/bin/regpoll ./etc/regpoll/regpoll.json ./usr/lib/systemd/system/regpoll.service \
         ./usr/lib/sysusers.d/regpoll.conf ./usr/share/regpoll/devices/eastron/sdm630.json \
         ./usr/share/regpoll/devices/schema.json ./usr/share/doc/regpoll/README.md; do
  grep -q " $f\$" "$tmp/deb-contents" || { cat "$tmp/deb-contents" >&2; fail "$f not in the .deb"; }
done
mkdir "$tmp/deb-control"
dpkg-deb -e "$deb" "$tmp/deb-control"
expect_grep "^/etc/regpoll/regpoll.json$" "$tmp/deb-control/conffiles"
for f in postinst prerm postrm; do
  [ -x "$tmp/deb-control/$f" ] || fail "$f is not executable in the .deb"
  sh -n "$tmp/deb-control/$f" || fail "$f is not valid sh"
done
dpkg-deb -x "$deb" "$tmp/deb-root"
expect_grep "^ExecStart=/usr/bin/regpoll run --config /etc/regpoll/regpoll.json " \
  "$tmp/deb-root/usr/lib/systemd/system/regpoll.service"
(cd / && "$tmp/deb-root/usr/bin/regpoll" validate -q -c "$tmp/deb-root/etc/regpoll/regpoll.json") ||
  fail "the .deb's binary does not validate the .deb's configuration with the .deb's profiles"
echo "install test: OK ($(basename "$deb"), $(du -k "$deb" | cut -f1) KiB)"
