#!/usr/bin/env bash
# Image-level accuracy of detector plugins on the generator's stills, seed by seed:
#   scripts/eval-stills.sh [--plugins cracks,potholes] [--size 1280x720] SEED...
# For each seed: voirie sample --stills-only, voirie detect --json, voirie eval-boxes; then the
# scores summed over all seeds. Needs a build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
voirie="${VOIRIE_BUILD_DIR:-build}/bin/voirie"
plugins="cracks,potholes"
size="1280x720"
seeds=()
while [ $# -gt 0 ]; do
  case "$1" in
    --plugins) plugins="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    *) seeds+=("$1"); shift ;;
  esac
done
[ ${#seeds[@]} -gt 0 ] || { echo "usage: $0 [--plugins ids] [--size WxH] SEED..." >&2; exit 2; }
work="${VOIRIE_EVAL_DIR:-$(mktemp -d)}"
mkdir -p "$work"
merged="$work/all_detect.json"; truth="$work/all_truth.json"
echo '{"images":[]}' > "$merged"; echo '{"images":[]}' > "$truth"
for seed in "${seeds[@]}"; do
  dir="$work/seed-$seed"
  [ -f "$dir/survey.json" ] || "$voirie" sample --out "$dir" --seed "$seed" --size "$size" --stills-only --quiet
  "$voirie" detect --json --plugins "$plugins" --camera "$dir/camera.json" "$dir/stills" > "$dir/detect.json" || true
  echo "== seed $seed"
  "$voirie" eval-boxes "$dir/detect.json" --truth "$dir/stills_truth.json"
  # Pool all seeds, prefixing file names with the seed so images stay distinct.
  python3 - "$dir/detect.json" "$dir/stills_truth.json" "$merged" "$truth" "$seed" <<'PY'
import json, os, sys
det, tru, merged, truth, seed = sys.argv[1:]
for src, dst in ((det, merged), (tru, truth)):
    pooled = json.load(open(dst))
    for image in json.load(open(src))["images"]:
        image["path"] = f"s{seed}_" + os.path.basename(image["path"])
        pooled["images"].append(image)
    json.dump(pooled, open(dst, "w"))
PY
done
echo "== all seeds: ${seeds[*]}"
"$voirie" eval-boxes "$merged" --truth "$truth"
