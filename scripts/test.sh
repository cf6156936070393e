#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole test suite.
# VOIRIE_SANITIZE=1 builds into build-asan with AddressSanitizer + UBSan instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "${VOIRIE_SANITIZE:-0}" = 1 ]; then
  export VOIRIE_BUILD_DIR="${VOIRIE_BUILD_DIR:-build-asan}" VOIRIE_BUILD_TYPE=Debug
  # GCC 12's LeakSanitizer misreads the dynamic TLS of dlopen'd plugins on Debian 12's glibc
  # ("Tracer caught signal 11" at exit); not intercepting __tls_get_addr avoids it, leaks are
  # still checked.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-intercept_tls_get_addr=0:detect_leaks=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  scripts/build.sh -DVOIRIE_SANITIZE=ON
else
  scripts/build.sh -DVOIRIE_SANITIZE=OFF
fi
cd "${VOIRIE_BUILD_DIR:-build}"
ctest --output-on-failure --parallel "$(nproc)" --timeout 900
