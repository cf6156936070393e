#!/bin/bash
# Measures `voirie compare` on generated pairs of campaigns (issue 29): for each seed, a survey,
# the same road N years later (voirie sample --evolve-from), both analysed with the synthetic-
# tuned detectors, compared, and the change labels scored against the generator's truth.
#   scripts/measure-changes.sh OUT_DIR [--gps-noise-m 0] [--length-m 800] [--seeds "11 12 13"]
#                              [--truth-as-detections]
# --truth-as-detections: each analysed project's damages replaced by its survey's ground truth
# (true places and sizes, the frames kept): the change logic alone, without the detectors' misses,
# false alarms and measurement errors (the GPS offset is then not meaningful: truth has none).
set -euo pipefail
out=${1:?usage: scripts/measure-changes.sh OUT_DIR [--gps-noise-m N] [--length-m M] [--seeds "..."] [--years N]}
shift
noise=1.7 length=800 seeds="11 12 13" years=2 truth_as_detections=0
while [ $# -gt 0 ]; do
    case $1 in
        --gps-noise-m) noise=$2; shift 2 ;;
        --length-m) length=$2; shift 2 ;;
        --seeds) seeds=$2; shift 2 ;;
        --years) years=$2; shift 2 ;;
        --truth-as-detections) truth_as_detections=1; shift ;;
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
    old="$d/old.gpkg" new="$d/new.gpkg"
    if [ "$truth_as_detections" = 1 ]; then
        for c in old new; do
            cp "$d/$c.gpkg" "$d/$c-truth.gpkg"
            ogrinfo -q "$d/$c-truth.gpkg" -sql "DELETE FROM damages" > /dev/null
            ogr2ogr -q -append -nln damages "$d/$c-truth.gpkg" "$d/$c/ground_truth.geojson" -sql \
                "SELECT id AS damage_id, class, severity, length_m, area_m2, chainage_m, 'unreviewed' AS review_state FROM ground_truth"
        done
        old="$d/old-truth.gpkg" new="$d/new-truth.gpkg"
    fi
    "$voirie" compare "$old" "$new" --out "$d/changes.gpkg" --overwrite --json > "$d/compare.json"
    "$voirie" eval-changes "$d/changes.gpkg" --old-truth "$d/old" --new-truth "$d/new" --json > "$d/eval.json"
    echo "== seed $seed (GPS noise $noise m)"
    "$voirie" eval-changes "$d/changes.gpkg" --old-truth "$d/old" --new-truth "$d/new"
done

# Every seed together: per label, tp / fp / fn summed, then precision and recall.
python3 - "$out" $seeds <<'PY'
import json, sys
out, seeds = sys.argv[1], sys.argv[2:]
total, seg, seg_ok, offsets = {}, 0, 0, []
for seed in seeds:
    e = json.load(open(f"{out}/seed{seed}/eval.json"))
    for label, s in e["labels"]["classes"].items():
        t = total.setdefault(label, [0, 0, 0])
        t[0] += s["tp"]; t[1] += s["fp"]; t[2] += s["fn"]
    seg += e["segments"]["total"]; seg_ok += e["segments"]["grade_change_correct"]
    if "error_m" in e["gps_offset"]:
        offsets.append(e["gps_offset"]["error_m"])
print(f"== all seeds ({' '.join(seeds)})")
for label, (tp, fp, fn) in total.items():
    p = tp / (tp + fp) if tp + fp else float("nan"); r = tp / (tp + fn) if tp + fn else float("nan")
    print(f"{label:12s} tp {tp:3d} fp {fp:3d} fn {fn:3d}  precision {p:.3f}  recall {r:.3f}")
tp = sum(t[0] for t in total.values()); fp = sum(t[1] for t in total.values()); fn = sum(t[2] for t in total.values())
print(f"{'overall':12s} tp {tp:3d} fp {fp:3d} fn {fn:3d}  precision {tp/(tp+fp):.3f}  recall {tp/(tp+fn):.3f}")
print(f"segment grade change correct: {seg_ok} of {seg} ({100*seg_ok/max(seg,1):.0f}%)")
print("GPS offset error (m): " + ", ".join(f"{o:.2f}" for o in offsets))
PY
