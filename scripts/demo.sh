#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build_dir="${VOIRIE_BUILD_DIR:-build}"
echo
echo "== voirie plugins"
"$build_dir/bin/voirie" plugins
