#!/usr/bin/env bash
# Measures `voirie ortho` on generated surveys: where the mosaic's road lies against the
# generator's own texture (voirie eval-surface), seams between consecutive frames before and
# after registration, and what --ortho adds to the CPU of `voirie analyze`.
#   scripts/measure-surface.sh OUT [--seeds "41 42 43"] [--length-m 400]
# For each seed: a survey with a perfect receiver (analysed without smoothing: nothing to smooth;
# its surface registered with --gps-sigma-m 0.3, as for a receiver good to decimetres) and one
# with the default 1.7 m GPS noise (default smoothing, --gps-sigma-m 2); each analysed with and
# without --ortho (cracks,potholes, anonymization on), the surface made again with voirie ortho
# (registered, its damages moved with --align-damages into a copy of the project) and with
# --no-register. Columns: the registered surface against the truth, and how many defects lie
# within the error the track itself has there (the GPS-only surface's offset + 0.10 m); the
# GPS-only surface; seams; voirie eval's median position error of the damages as analysed and
# moved onto the registered surface; the CPU of analyze without and with --ortho.
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
printf "%-6s %-7s %-36s %-28s %-12s %-12s %-18s %s\n" seed gps "registered (med/p95, within track)" "GPS only (med/p95)" "seams before" "seams after" "damages: as analysed, aligned" "CPU: analyze, +ortho, surface stage"
for seed in $seeds; do
    for gps in perfect noisy; do
        dir=$out/s$seed-$gps
        noise=1.7; smooth=15
        [ $gps = perfect ] && { noise=0; smooth=0; }
        [ -f "$dir/survey.json" ] || "$voirie" sample --seed "$seed" --length-m "$length" --gps-noise-m "$noise" --out "$dir" --quiet
        common=(--video "$dir/survey.mp4" --track "$dir/survey.gpx" --camera "$dir/camera.json" --plugins cracks,potholes --smooth-s "$smooth" --overwrite --quiet --json)
        base=$("$voirie" analyze "${common[@]}" --out "$dir/plain.gpkg" | json "d['cpu_s']")
        with=$("$voirie" analyze "${common[@]}" --out "$dir/project.gpkg" --ortho "$dir/surface.tif" | json "d['cpu_s'], d['cpu_s_by_stage']['surface']")
        sigma=2; [ $gps = perfect ] && sigma=0.3
        "$voirie" ortho "$dir/project.gpkg" --out "$dir/surface-gps.tif" --no-register --overwrite --quiet
        cp "$dir/project.gpkg" "$dir/aligned.gpkg"
        info=$("$voirie" ortho "$dir/aligned.gpkg" --out "$dir/surface-again.tif" --gps-sigma-m "$sigma" --align-damages --overwrite --json)
        "$voirie" eval-surface "$dir/surface-again.tif" --truth "$dir" --json > "$dir/eval-registered.json"
        "$voirie" eval-surface "$dir/surface-gps.tif" --truth "$dir" --json > "$dir/eval-gps-only.json"
        reg=$(/usr/bin/python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
reg, raw = (json.load(open(f"{d}/eval-{k}.json")) for k in ("registered", "gps-only"))
track = {w["id"]: w["offset_m"] for w in raw["windows"] if w.get("result") in ("on target", "off")}
both = [w for w in reg["windows"] if w.get("result") in ("on target", "off") and w["id"] in track]
within = sum(w["offset_m"] <= track[w["id"]] + 0.10 for w in both)
print("%.3f/%.3f (%d/%d on target, %d/%d)" % (reg["median_offset_m"], reg["p95_offset_m"], reg["on_target"], reg["matched"], within, len(both)))
PY
)
        raw=$(json "'%.3f/%.3f (%d/%d)' % (d['median_offset_m'], d['p95_offset_m'], d['on_target'], d['matched'])" < "$dir/eval-gps-only.json")
        seams=$(echo "$info" | json "'%.3f/%.3f' % (d['seams_before']['median_m'], d['seams_before']['p95_m']), '%.3f/%.3f' % (d['seams_after']['median_m'], d['seams_after']['p95_m'])")
        moved=$(for p in project aligned; do "$voirie" eval "$dir/$p.gpkg" --truth "$dir/ground_truth.geojson" --json | json "'%.2f' % d['overall']['median_position_error_m']"; done | paste -sd' ')
        printf "%-6s %-7s %-36s %-28s %-26s %-18s CPU %s -> %s\n" "$seed" "$gps" "$reg" "$raw" "$seams" "$moved m" "$base" "$with"
    done
done
