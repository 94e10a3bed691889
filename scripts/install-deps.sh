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
#   ... --clean                        then remove apt's package lists (an image layer)
#
# CI runs this script in a fresh Debian 12 root (.ci/run), so a package missing here fails
# CI, not a user: a machine that already has it would never tell.
set -euo pipefail

# libjs-chart.js: Chart.js, embedded in the binary with the web page (src/web/CMakeLists.txt).
# libssl-dev: Debian's PahoMqttCpp CMake config calls find_package(OpenSSL) (paho is built
# with SSL), but libpaho-mqtt-dev does not depend on it.
# libpq-dev: the PostgreSQL sink (src/sink/postgres.cmake finds it through pkg-config).
# lld-15: links bin/regpoll with its start-up code placed together (src/app/CMakeLists.txt);
# lld 14 (Debian's default lld) cannot pack relocations in a way glibc 2.36 loads.
build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config file libssl-dev lld-15
  libboost-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
  libsqlite3-dev libpaho-mqttpp-dev libpaho-mqtt-dev libjs-chart.js libpq-dev
)
# docker-compose: Debian 12's Compose (1.29), to check docker/compose.yml against it.
# systemd: systemd-analyze, to verify the unit (install.systemd_unit skips without it).
# python3-jinja2: renders our Home Assistant templates as Home Assistant does (sink tests).
# prometheus: promtool checks /metrics (tests/integration/web_test.cpp); curl asks the web API;
# chromium: renders the web page headless (tests/integration/web_page_test.cpp); openssl makes
# the HTTPS test's certificate.
# postgresql: a real PostgreSQL 15 server (initdb, postgres) for the PostgreSQL sink's tests
# and benchmark, started in a temporary folder; the package's own cluster is not used.
test_pkgs=(
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pymodbus python3-serial python3-paho-mqtt python3-yaml python3-jinja2 mbpoll socat libmodbus-dev
  mosquitto mosquitto-clients clang libclang-rt-14-dev docker-compose systemd
  prometheus curl chromium openssl postgresql
)
# The shared libraries bin/regpoll links (tests/install checks this list against the binary):
# libpq5 for PostgreSQL, libssl3 for HTTPS, and CA certificates for ssl:// brokers.
runtime_pkgs=(libspdlog1.10 libsqlite3-0 libpaho-mqttpp3-1 libpq5 libssl3 ca-certificates)

set_ups=() clean=""
for arg in "$@"; do
  case "$arg" in
    --runtime|--build|--all) set_ups+=("$arg") ;;
    --clean) clean=1 ;;
    *) echo "usage: $0 [--build|--runtime|--all] [--clean]" >&2; exit 2 ;;
  esac
done
[ ${#set_ups[@]} -le 1 ] || { echo "usage: $0 [--build|--runtime|--all] [--clean]" >&2; exit 2; }
case "${set_ups[0]:---all}" in
  --runtime) want=("${runtime_pkgs[@]}") ;;
  --build) want=("${build_pkgs[@]}") ;;
  --all) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${runtime_pkgs[@]}") ;;
esac
clean_lists() { [ -z "$clean" ] || ${sudo:-} rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin; }

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "install-deps: all ${#want[@]} packages present"; clean_lists; exit 0; }

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[ -z "$clean" ] || $sudo apt-get clean
clean_lists
echo "install-deps: done"
