#!/usr/bin/env bash
# The systemd unit as installed: `cmake --install BUILD_DIR --prefix <tmp>`, then
# `systemd-analyze verify` on the installed unit (its ExecStart names the installed binary,
# which must exist), the hardening it promises, the exposure systemd rates it at, and the
# sysusers.d entry. Skipped (exit 77) where systemd-analyze is not installed.
#   tests/install/systemd_unit_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
command -v systemd-analyze > /dev/null || { echo "SKIP: systemd-analyze is not installed (Debian package systemd)"; exit 77; }
tmp=$(mktemp -d -t regpoll-unit-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
unit="$tmp/prefix/lib/systemd/system/regpoll.service"
[ -f "$unit" ] || fail "no $unit"
grep -q "^ExecStart=$tmp/prefix/bin/regpoll run --config $tmp/prefix/etc/regpoll/regpoll.json" "$unit" ||
  fail "ExecStart does not name the installed binary and configuration"

# verify prints problems (unknown keys, missing executables, bad values) and fails on errors.
systemd-analyze verify "$unit" > "$tmp/verify.out" 2>&1 || { cat "$tmp/verify.out" >&2; fail "systemd-analyze verify failed"; }
if grep -F "regpoll.service" "$tmp/verify.out"; then fail "systemd-analyze verify complains about the unit"; fi

for line in Type=notify Restart=on-failure RestartPreventExitStatus=2 User=regpoll SupplementaryGroups=dialout \
            StateDirectory=regpoll RuntimeDirectory=regpoll ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
            NoNewPrivileges=yes WatchdogSec= "ExecReload=/bin/kill -HUP \$MAINPID"; do
  grep -q "^$line" "$unit" || fail "the unit lacks $line"
done
# Serial adapters must stay reachable: nothing that installs a device allow-list.
for line in PrivateDevices=yes DeviceAllow= DevicePolicy= ProtectClock=yes; do
  if grep -q "^$line" "$unit"; then fail "$line would hide serial lines from the service"; fi
done

# systemd's own rating of the sandbox (0 = locked down, 10 = fully exposed).
if systemd-analyze security --help 2>/dev/null | grep -q -- "--offline"; then
  systemd-analyze security --offline=true "$unit" > "$tmp/security.out" 2>&1 || true
  score=$(sed -n 's/.*Overall exposure level for regpoll.service: \([0-9.]*\).*/\1/p' "$tmp/security.out")
  [ -n "$score" ] || { cat "$tmp/security.out" >&2; fail "no exposure level from systemd-analyze security"; }
  echo "systemd-analyze security: exposure $score"
  awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' || { cat "$tmp/security.out" >&2; fail "exposure $score is above 3.0"; }
fi

sysusers="$tmp/prefix/lib/sysusers.d/regpoll.conf"
grep -q '^u regpoll - "regpoll Modbus poller" /var/lib/regpoll$' "$sysusers" || fail "no regpoll user in $sysusers"
if command -v systemd-sysusers > /dev/null; then
  mkdir -p "$tmp/root/etc"
  systemd-sysusers --root="$tmp/root" "$sysusers" > "$tmp/sysusers.out" 2>&1 || { cat "$tmp/sysusers.out" >&2; fail "systemd-sysusers rejects $sysusers"; }
  grep -q "^regpoll:x:[0-9]*:[0-9]*:regpoll Modbus poller:/var/lib/regpoll:" "$tmp/root/etc/passwd" ||
    fail "systemd-sysusers did not create the user regpoll"
fi
echo "systemd unit: OK"
