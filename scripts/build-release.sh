#!/usr/bin/env bash
# The release build: what docker/Dockerfile's build stage runs, and what CI runs through
# tests/install/install_test.sh, so every step the image takes is proven outside Docker.
# Release, without tests and benchmarks, for the prefix /usr, installed into STAGE_DIR
# (DESTDIR): STAGE_DIR/usr/bin/regpoll, STAGE_DIR/etc/regpoll/regpoll.json, ...
#
#   scripts/build-release.sh BUILD_DIR STAGE_DIR
#
# The .deb from the same build: cpack -G DEB --config BUILD_DIR/CPackConfig.cmake
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR STAGE_DIR" >&2; exit 2; }
build=$1
stage=$2
case "$stage" in /|"") echo "build-release: STAGE_DIR must be a folder of its own" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)

# -O2, as CI's warnings-as-errors build compiles: GCC 12 at -O3 reports false -Wrestrict
# warnings inside libstdc++ (a GCC 12 regression). Warnings do not fail this build, so an image
# still builds on a compiler CI does not run.
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DCMAKE_INSTALL_PREFIX=/usr -DREGPOLL_TESTS=OFF -DREGPOLL_BENCH=OFF
cmake --build "$build"
rm -rf "$stage"
DESTDIR="$stage" cmake --install "$build" --strip
echo "build-release: installed into $stage"
