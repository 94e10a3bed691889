#!/usr/bin/env bash
# devices/README.md's table is what scripts/device-catalogue.py makes of the profiles: the
# shipped table is in sync, and a copy of the library whose profile changed is reported
# stale (exit 1, naming the row) until the script rewrites it.
#   catalogue_test.sh SOURCE_DIR
set -euo pipefail
src=$1
script="$src/scripts/device-catalogue.py"
python=/usr/bin/python3

"$python" "$script" --check --devices "$src/devices" || {
    echo "FAIL: devices/README.md is out of date: run scripts/device-catalogue.py" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/devices" "$work/devices"
# A profile whose model and default unit change: the table must notice.
sed -i 's/"model": "SDM630"/"model": "SDM630-Test"/' "$work/devices/eastron/sdm630.json"
grep -q '"model": "SDM630-Test"' "$work/devices/eastron/sdm630.json"
if "$python" "$script" --check --devices "$work/devices" 2> "$work/err"; then
    echo "FAIL: --check passed after a profile changed" >&2; exit 1
fi
grep -q 'out of date' "$work/err" || { cat "$work/err" >&2; echo "FAIL: no 'out of date' message" >&2; exit 1; }
grep -q '^+| \[eastron/sdm630\](eastron/sdm630.json) | Eastron | SDM630-Test |' "$work/err" || {
    cat "$work/err" >&2; echo "FAIL: the diff does not show the changed row" >&2; exit 1; }
# A new profile is a new row.
mkdir -p "$work/devices/acme"
printf '%s\n' '{"manufacturer": "Acme", "model": "M1", "source": "Acme M1 manual, 2026; registers 0-1",' \
    '"transports": ["tcp"], "limits": {"default_unit": 9, "default_port": 1502},' \
    '"points": [{"name": "a", "address": 0}]}' > "$work/devices/acme/m1.json"
"$python" "$script" --devices "$work/devices" > /dev/null
"$python" "$script" --check --devices "$work/devices"
grep -qF '| [acme/m1](acme/m1.json) | Acme | M1 | tcp (port 1502) | 9 | Acme M1 manual, 2026 |' "$work/devices/README.md" || {
    cat "$work/devices/README.md" >&2; echo "FAIL: the new profile's row is missing or wrong" >&2; exit 1; }
grep -q '^## Profiles that do not fit' "$work/devices/README.md" || {
    echo "FAIL: the hand-written text after the table was lost" >&2; exit 1; }
echo "catalogue: in sync, and a changed or added profile is caught"
