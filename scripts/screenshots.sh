#!/usr/bin/env bash
# Screenshots of voirie-app on the sample project, to look at the GUI without a display:
#   scripts/screenshots.sh [OUT_DIR]      (default build/screenshots)
# Writes main-window.png (most severe damage selected), frame-view.png, frame-view-drawing.png (ready to
# add a missed damage), training-data.png (File › Export training data), map-closeup.png (the map
# zoomed to that damage), plugins-window.png and new-survey.png (the form on the project's video, its
# camera worked out and drawn over a frame).
# Needs the sample project: ./scripts/demo.sh makes build/sample/project.gpkg.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${VOIRIE_BUILD_DIR:-build}"
out="${1:-$build_dir/screenshots}"
project="$build_dir/sample/project.gpkg"
[ -f "$project" ] || { echo "error: $project does not exist: run ./scripts/demo.sh first" >&2; exit 1; }
scripts/build.sh >/dev/null
# Qt's offscreen platform renders exactly what a screen would show, without X.
QT_QPA_PLATFORM=offscreen "$build_dir/bin/voirie-app" "$project" --screenshots "$out"
