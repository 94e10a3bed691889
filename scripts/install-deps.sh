#!/usr/bin/env bash
# The one place regpoll's package list lives. Used by `make test`, `make demo`, .ci/run
# and docker/Dockerfile. Idempotent: installs only what is missing, runs apt-get update
# only when something is.
#
#   scripts/install-deps.sh            everything below (default, --all)
#   scripts/install-deps.sh --build    only what building regpoll and its .deb needs
#                                      (docker/Dockerfile's build stage)
#   scripts/install-deps.sh --runtime  only what the installed binary needs to run
#                                      (docker/Dockerfile's runtime stage; the .deb's
#                                      dependencies are computed by dpkg-shlibdeps)
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config file
  libboost-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
  libsqlite3-dev libpaho-mqttpp-dev libpaho-mqtt-dev
)
test_pkgs=(
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pymodbus python3-serial python3-paho-mqtt python3-yaml mbpoll socat libmodbus-dev
  mosquitto mosquitto-clients clang libclang-rt-14-dev
)
# The shared libraries bin/regpoll links (tests/install checks this list against the binary),
# and CA certificates for ssl:// brokers.
runtime_pkgs=(libspdlog1.10 libsqlite3-0 libpaho-mqttpp3-1 ca-certificates)

case "${1:-}" in
  --runtime) want=("${runtime_pkgs[@]}") ;;
  --build) want=("${build_pkgs[@]}") ;;
  ""|--all) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${runtime_pkgs[@]}") ;;
  *) echo "usage: $0 [--build|--runtime|--all]" >&2; exit 2 ;;
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
