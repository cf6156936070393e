#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole test suite.
# VOIRIE_SANITIZE=1 builds into build-asan with AddressSanitizer + UBSan instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "${VOIRIE_SANITIZE:-0}" = 1 ]; then
  export VOIRIE_BUILD_DIR="${VOIRIE_BUILD_DIR:-build-asan}" VOIRIE_BUILD_TYPE=Debug
  scripts/build.sh -DVOIRIE_SANITIZE=ON
else
  scripts/build.sh -DVOIRIE_SANITIZE=OFF
fi
cd "${VOIRIE_BUILD_DIR:-build}"
ctest --output-on-failure --parallel "$(nproc)" --timeout 900
