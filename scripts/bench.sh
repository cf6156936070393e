#!/usr/bin/env bash
# Builds and runs Voirie's benchmarks; they print their figures and ratios to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build_dir="${VOIRIE_BUILD_DIR:-build}"
echo "== ingest: sampling vs decoding"
"$build_dir/bin/voirie_bench_ingest" "${VOIRIE_BENCH_SECONDS:-60}"
echo
echo "== detector plugins: time per frame against decoding"
"$build_dir/bin/voirie_bench_plugins"
echo
echo "== analyze: what users run (default set, anonymization) against decoding the same video"
"$build_dir/bin/voirie_bench_analyze" "${VOIRIE_BENCH_METRES:-400}"
echo
echo "== export: 100,000 damages beside ogr2ogr"
"$build_dir/bin/voirie_bench_export" "${VOIRIE_BENCH_DAMAGES:-100000}"
echo
echo "== map application: opening 100,000 damages, repainting 20,000"
"$build_dir/bin/voirie_bench_map" "${VOIRIE_BENCH_DAMAGES:-100000}" 20000
