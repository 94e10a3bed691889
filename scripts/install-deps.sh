#!/usr/bin/env bash
# The one place regpoll's package list lives. Used by `make test`, `make demo`, .ci/run
# and docker/Dockerfile. Idempotent: installs only what is missing, runs apt-get update
# only when something is.
#
#   scripts/install-deps.sh            build + test dependencies (default)
#   scripts/install-deps.sh --runtime  only what the installed binary needs to run
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
  libsqlite3-dev libpaho-mqttpp-dev libpaho-mqtt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(
  python3 python3-pymodbus python3-serial python3-paho-mqtt mbpoll socat libmodbus-dev
  mosquitto mosquitto-clients clang libclang-rt-14-dev
)
runtime_pkgs=(libspdlog1.10 libsqlite3-0 libpaho-mqttpp3-1)

case "${1:-}" in
  --runtime) want=("${runtime_pkgs[@]}") ;;
  ""|--all) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [--runtime|--all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "install-deps: all ${#want[@]} packages present"; exit 0; }

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
