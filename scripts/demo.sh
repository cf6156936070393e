#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the main job on the bundled sample
# survey (generated deterministically by `voirie sample`, seed 1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build_dir="${VOIRIE_BUILD_DIR:-build}"
voirie="$build_dir/bin/voirie"
sample="$build_dir/sample"

# The sample keeps its GPS inside the video, as a GoPro does (an older sample without it is rendered again).
if [ ! -f "$sample/survey.json" ] || ! grep -q '"gps_embedded"' "$sample/survey.json"; then
  echo "== voirie sample: rendering the sample survey, GPS inside its video (about a minute)"
  "$voirie" sample --out "$sample" --seed 1 --embed-gps gpmf --overwrite
fi
echo
echo "== voirie plugins"
"$voirie" plugins
echo
echo "== voirie telemetry: the GPS recorded inside the video, as a GPX track"
"$voirie" telemetry "$sample/survey.mp4" --out "$sample/telemetry.gpx" --overwrite
echo
echo "== voirie frames: the survey's georeferenced frames, one every 3 m (GPS from the video itself)"
"$voirie" frames --video "$sample/survey.mp4" --out "$sample/frames.gpkg" --overwrite
echo
echo "== voirie analyze: the survey into one project GeoPackage (no track file, no camera file)"
"$voirie" analyze --video "$sample/survey.mp4" \
  --plugins cracks,potholes --out "$sample/project.gpkg" --chips-dir "$sample/chips" --overwrite
echo
echo "== voirie eval: the project's damages against the survey's ground truth"
"$voirie" eval "$sample/project.gpkg" --truth "$sample/ground_truth.geojson"
echo
echo "== voirie rate: a condition grade per 100 m segment (pci-proxy scheme)"
"$voirie" rate "$sample/project.gpkg"
echo
echo "== voirie report: the survey report for the council (HTML and PDF)"
"$voirie" report "$sample/project.gpkg" --out "$sample/report.html" --pdf "$sample/report.pdf" --overwrite
echo
echo "== voirie detect on the sample's stills, scored against their truth (voirie eval-boxes)"
"$voirie" detect --json --plugins cracks,potholes --camera "$sample/camera.json" "$sample/stills" > "$sample/detect.json"
"$voirie" eval-boxes "$sample/detect.json" --truth "$sample/stills_truth.json"
echo
echo "== voirie-app: screenshots of the map application on the project (offscreen)"
QT_QPA_PLATFORM=offscreen "$build_dir/bin/voirie-app" "$sample/project.gpkg" --screenshots "$build_dir/screenshots" 2>/dev/null
echo
echo "Sample survey in $sample: survey.mp4, survey.gpx, ground_truth.geojson, basemap.tif, stills/;"
echo "the project (track, frames, detections, damages, segments, provenance, styles): $sample/project.gpkg (opens in QGIS);"
echo "the report: $sample/report.html and report.pdf (scripts/render-report.sh turns the PDF into PNG pages);"
echo "review it on a map: $build_dir/bin/voirie-app $sample/project.gpkg (screenshots in $build_dir/screenshots)."
