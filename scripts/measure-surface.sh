#!/usr/bin/env bash
# Measures `voirie ortho` on generated surveys: where the mosaic's road lies against the
# generator's own texture (voirie eval-surface), seams between consecutive frames before and
# after registration, and what --ortho adds to the CPU of `voirie analyze`.
#   scripts/measure-surface.sh OUT [--seeds "41 42 43"] [--length-m 400]
# For each seed: a survey with a perfect receiver (analysed without smoothing: nothing to smooth)
# and one with the default 1.7 m GPS noise (default smoothing); each analysed with and without
# --ortho (cracks,potholes, anonymization on), the surface made again with --no-register.
set -euo pipefail
out=${1:?usage: measure-surface.sh OUT [--seeds "41 42 43"] [--length-m 400]}
shift
seeds="41 42 43"
length=400
while [ $# -gt 0 ]; do
    case "$1" in
        --seeds) seeds=$2; shift 2 ;;
        --length-m) length=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
voirie=${VOIRIE:-$here/build/bin/voirie}
mkdir -p "$out"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
printf "%-6s %-7s %-28s %-28s %-22s %-22s %s\n" seed gps "offset registered (med/p95)" "offset GPS only (med/p95)" "seams before (med/p95)" "seams after (med/p95)" "CPU: analyze, +ortho, surface stage"
for seed in $seeds; do
    for gps in perfect noisy; do
        dir=$out/s$seed-$gps
        noise=1.7; smooth=15
        [ $gps = perfect ] && { noise=0; smooth=0; }
        [ -f "$dir/survey.json" ] || "$voirie" sample --seed "$seed" --length-m "$length" --gps-noise-m "$noise" --out "$dir" --quiet
        common=(--video "$dir/survey.mp4" --track "$dir/survey.gpx" --camera "$dir/camera.json" --plugins cracks,potholes --smooth-s "$smooth" --overwrite --quiet --json)
        base=$("$voirie" analyze "${common[@]}" --out "$dir/plain.gpkg" | json "d['cpu_s']")
        with=$("$voirie" analyze "${common[@]}" --out "$dir/project.gpkg" --ortho "$dir/surface.tif" | json "d['cpu_s'], d['cpu_s_by_stage']['surface']")
        "$voirie" ortho "$dir/project.gpkg" --out "$dir/surface-gps.tif" --no-register --overwrite --quiet
        info=$("$voirie" ortho "$dir/project.gpkg" --out "$dir/surface-again.tif" --overwrite --json)
        reg=$("$voirie" eval-surface "$dir/surface.tif" --truth "$dir" --json | tee "$dir/eval-registered.json" | json "'%.3f/%.3f (%d/%d, gps %d)' % (d['median_offset_m'], d['p95_offset_m'], d['on_target'], d['matched'], d['within_gps_error'])")
        raw=$("$voirie" eval-surface "$dir/surface-gps.tif" --truth "$dir" --json | tee "$dir/eval-gps-only.json" | json "'%.3f/%.3f (%d/%d, gps %d)' % (d['median_offset_m'], d['p95_offset_m'], d['on_target'], d['matched'], d['within_gps_error'])")
        seams=$(echo "$info" | json "'%.3f/%.3f' % (d['seams_before']['median_m'], d['seams_before']['p95_m']), '%.3f/%.3f' % (d['seams_after']['median_m'], d['seams_after']['p95_m']), d['bytes']")
        printf "%-6s %-7s %-28s %-28s %s  CPU %s -> %s\n" "$seed" "$gps" "$reg" "$raw" "$seams" "$base" "$with"
    done
done
