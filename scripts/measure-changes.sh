#!/bin/bash
# Measures `voirie compare` on generated pairs of campaigns (issue 29): for each seed, a survey,
# the same road N years later (voirie sample --evolve-from), both analysed with the synthetic-
# tuned detectors, compared, and the change labels scored against the generator's truth.
#   scripts/measure-changes.sh OUT_DIR [--gps-noise-m 0] [--length-m 800] [--seeds "11 12 13"]
set -euo pipefail
out=${1:?usage: scripts/measure-changes.sh OUT_DIR [--gps-noise-m N] [--length-m M] [--seeds "..."] [--years N]}
shift
noise=1.7 length=800 seeds="11 12 13" years=2
while [ $# -gt 0 ]; do
    case $1 in
        --gps-noise-m) noise=$2; shift 2 ;;
        --length-m) length=$2; shift 2 ;;
        --seeds) seeds=$2; shift 2 ;;
        --years) years=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
voirie=${VOIRIE:-$(dirname "$0")/../build/bin/voirie}
mkdir -p "$out"
for seed in $seeds; do
    d="$out/seed$seed"
    mkdir -p "$d"
    [ -f "$d/old/survey.json" ] || "$voirie" sample --quiet --seed "$seed" --length-m "$length" --gps-noise-m "$noise" --out "$d/old"
    [ -f "$d/new/survey.json" ] || "$voirie" sample --quiet --evolve-from "$d/old" --years "$years" --out "$d/new"
    for c in old new; do
        [ -f "$d/$c.gpkg" ] || "$voirie" analyze --quiet --video "$d/$c/survey.mp4" --track "$d/$c/survey.gpx" \
            --camera "$d/$c/camera.json" --plugins cracks,potholes --out "$d/$c.gpkg" > /dev/null
    done
    "$voirie" compare "$d/old.gpkg" "$d/new.gpkg" --out "$d/changes.gpkg" --overwrite --json > "$d/compare.json"
    "$voirie" eval-changes "$d/changes.gpkg" --old-truth "$d/old" --new-truth "$d/new" --json > "$d/eval.json"
    echo "== seed $seed (GPS noise $noise m)"
    "$voirie" eval-changes "$d/changes.gpkg" --old-truth "$d/old" --new-truth "$d/new"
done
