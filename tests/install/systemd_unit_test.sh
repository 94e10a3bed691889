#!/usr/bin/env bash
# The systemd units as installed (regpoll.service, and the shard template regpoll@.service): `cmake --install BUILD_DIR --prefix <tmp>`, then
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

# The template regpoll@.service: the instance is the shard as systemd escapes it
# (regpoll@2-3 polls shard 2/3: %I unescapes "2-3" to "2/3").
[ "$(systemd-escape 2/3)" = 2-3 ] || fail "systemd-escape 2/3 gives $(systemd-escape 2/3), not 2-3"
[ "$(systemd-escape --unescape 2-3)" = 2/3 ] || fail "systemd-escape --unescape 2-3 does not give 2/3"
[ "$(systemd-escape --template=regpoll@.service 2/3)" = regpoll@2-3.service ] || fail "the instance of shard 2/3 is not regpoll@2-3"
template="$tmp/prefix/lib/systemd/system/regpoll@.service"
[ -f "$template" ] || fail "no $template"
grep -q "^ExecStart=$tmp/prefix/bin/regpoll run --config $tmp/prefix/etc/regpoll/regpoll.json --shard %I --output none$" "$template" ||
  fail "the template's ExecStart does not pass the instance as --shard"
grep -q "^Description=.*%I" "$template" || fail "the template's description does not name the shard"
# Both units come from one sandbox (service-sandbox.in): the template has every line the unit has there.
for line in Type=notify Restart=on-failure RestartPreventExitStatus=2 User=regpoll SupplementaryGroups=dialout \
            StateDirectory=regpoll RuntimeDirectory=regpoll RuntimeDirectoryPreserve=yes ProtectSystem=strict \
            ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes WatchdogSec= "ExecReload=/bin/kill -HUP \$MAINPID"; do
  grep -q "^$line" "$template" || fail "the template lacks $line"
done
diff <(sed -n '/^User=/,/^\[Install\]/p' "$unit") <(sed -n '/^User=/,/^\[Install\]/p' "$template") ||
  fail "the template's sandbox differs from the unit's"
if grep -q "@[A-Z_]*@" "$unit" "$template"; then fail "a placeholder was left in an installed unit"; fi
# An instance as systemd loads it: the template file linked under the instance's name.
units="$tmp/units"
mkdir -p "$units"
cp "$template" "$units/regpoll@.service"
systemd-analyze verify "$units/regpoll@2-3.service" > "$tmp/verify-instance.out" 2>&1 ||
  { cat "$tmp/verify-instance.out" >&2; fail "systemd-analyze verify regpoll@2-3.service failed"; }
if grep -F "regpoll@" "$tmp/verify-instance.out"; then fail "systemd-analyze verify complains about regpoll@2-3.service"; fi
if systemd-analyze security --help 2>/dev/null | grep -q -- "--offline"; then
  systemd-analyze security --offline=true "$units/regpoll@2-3.service" > "$tmp/security-instance.out" 2>&1 || true
  score=$(sed -n 's/.*Overall exposure level for regpoll@2-3.service: \([0-9.]*\).*/\1/p' "$tmp/security-instance.out")
  [ -n "$score" ] || { cat "$tmp/security-instance.out" >&2; fail "no exposure level for regpoll@2-3.service"; }
  echo "systemd-analyze security regpoll@2-3: exposure $score"
  awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' || fail "regpoll@2-3 exposure $score is above 3.0"
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
