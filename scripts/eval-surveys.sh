#!/usr/bin/env bash
# Damage-level accuracy of the analysis over the generated surveys the README reports, pooled:
#   scripts/eval-surveys.sh [--set tuning|held-out|all] [--plugins cracks,potholes] [-- ANALYZE_ARGS...]
# Each survey is rendered once by `voirie sample` into $VOIRIE_EVAL_DIR (default
# build/eval-surveys; a 1 km survey takes one to two minutes, its analysis about twenty seconds),
# analysed (`voirie analyze`, anonymization off: it changes no detection) and scored (`voirie
# eval`); then true/false positives and misses are summed per class over the set.
#   tuning:   the bundled sample (seed 1, 400 m), seeds 7 (80 defects/km), 11, 12, 15 and 16, the
#             clean roads 13 and 33: the surveys rules are chosen on (15 and 16 since 2026-11-24,
#             first scored after every rule before was chosen: they read what unseen roads do)
#   held-out: seeds 21, 22 and 23 and the clean roads 43 and 53: only to accept or reject a change
#             (23 since 2026-11-25, first scored after every rule was chosen: a third unseen road)
# Needs a build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
voirie="${VOIRIE_BUILD_DIR:-build}/bin/voirie"
work="${VOIRIE_EVAL_DIR:-${VOIRIE_BUILD_DIR:-build}/eval-surveys}"
set_name="tuning"
plugins="cracks,potholes"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --set) set_name="$2"; shift 2 ;;
    --plugins) plugins="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: $0 [--set tuning|held-out|all] [--plugins ids] [-- ANALYZE_ARGS...]" >&2; exit 2 ;;
  esac
done
# seed:metres:defects per km ("clean" for a road without damage)
tuning=(1:400:40 7:1000:80 11:1000:40 12:1000:40 15:1000:40 16:1000:40 13:1000:clean 33:1000:clean)
held_out=(21:1000:40 22:1000:40 23:1000:40 43:1000:clean 53:1000:clean)
case "$set_name" in
  tuning) surveys=("${tuning[@]}") ;;
  held-out) surveys=("${held_out[@]}") ;;
  all) surveys=("${tuning[@]}" "${held_out[@]}") ;;
  *) echo "unknown set '$set_name' (tuning, held-out or all)" >&2; exit 2 ;;
esac
[ -x "$voirie" ] || { echo "no $voirie: build first (scripts/build.sh)" >&2; exit 1; }
mkdir -p "$work"

scores="$work/scores-$set_name.txt"
: > "$scores"
for survey in "${surveys[@]}"; do
  IFS=: read -r seed metres per_km <<< "$survey"
  name="seed-$seed-${metres}m-$per_km"
  dir="$work/$name"
  if [ ! -f "$dir/survey.json" ]; then
    if [ "$per_km" = clean ]; then density=(--clean); else density=(--damage-per-km "$per_km"); fi
    echo "== rendering $name"
    "$voirie" sample --out "$dir" --seed "$seed" --length-m "$metres" "${density[@]}" --quiet --overwrite
  fi
  "$voirie" analyze --video "$dir/survey.mp4" --track "$dir/survey.gpx" --camera "$dir/camera.json" \
    --plugins "$plugins" --no-anonymize --out "$dir/project.gpkg" --overwrite --quiet "${extra[@]}"
  echo "== $name"
  "$voirie" eval "$dir/project.gpkg" --truth "$dir/ground_truth.geojson" | tee "$dir/eval.txt"
  grep -E '^D[0-9]{2} ' "$dir/eval.txt" >> "$scores" || true # a clean road found clean has no rows
done

echo
echo "== pooled over the $set_name set (${#surveys[@]} surveys)"
sort "$scores" | awk '
  function f1(t, p, n) { return 2 * t + p + n > 0 ? 2 * t / (2 * t + p + n) : 0 }
  !($1 in tp) { order[++classes] = $1 }
  { tp[$1] += $2; fp[$1] += $3; fn[$1] += $4; TP += $2; FP += $3; FN += $4 }
  END {
    printf "class      tp    fp    fn     f1\n"
    for (i = 1; i <= classes; ++i) { c = order[i]; printf "%-7s %5d %5d %5d  %5.3f\n", c, tp[c], fp[c], fn[c], f1(tp[c], fp[c], fn[c]) }
    printf "%-7s %5d %5d %5d  %5.3f\n", "overall", TP, FP, FN, f1(TP, FP, FN)
  }'
