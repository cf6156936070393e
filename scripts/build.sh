#!/usr/bin/env bash
# Configures and builds Voirie with Ninja into ${VOIRIE_BUILD_DIR:-build}.
# Extra arguments go to CMake's configure step (e.g. -DVOIRIE_SANITIZE=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${VOIRIE_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${VOIRIE_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
