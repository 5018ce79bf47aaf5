#!/usr/bin/env bash
# scripts/build.sh — install missing dependencies, configure (once) and build LexOS.
#
#   scripts/build.sh [--bench] [--browser] [--fuzz]   arguments go to scripts/deps.sh
#   BUILD_TYPE=Debug scripts/build.sh          default Release; a change reconfigures
#
# Works from any directory; the build tree is <repo>/build (binaries in build/bin).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/deps.sh "$@"

build_type="${BUILD_TYPE:-Release}"
configured=""
if [[ -f build/CMakeCache.txt ]]; then
  configured="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' build/CMakeCache.txt)"
fi
if [[ "$configured" != "$build_type" ]] || [[ ! -f build/CMakeCache.txt ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type"
fi
cmake --build build -j "$(nproc)"
