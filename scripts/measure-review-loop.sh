#!/usr/bin/env bash
# The review becomes training data, measured (issue 27): a family of generated surveys stands for a
# department's own roads. Two are analysed with the default detectors and reviewed from their
# ground truth by build/bin/voirie_play_reviewer (accept what matches the truth, reject the rest,
# draw each missed defect through the app's own placement code); `voirie dataset` makes them into
# training data; road-segnet is fine-tuned on it mixed with br-road-damage in bounded time; then
# three other seeds of the family, never reviewed, are analysed with the shipped and the
# fine-tuned model and scored with `voirie eval`, and both models are scored on br-road-damage's
# validation split (the fine-tune must not forget real roads).
#
#   scripts/measure-review-loop.sh OUT        (after scripts/build.sh; about an hour on 2 cores)
#
# Environment: MINUTES (fine-tune bound in wall minutes at 2 threads, default 15: 30 CPU-minutes),
# EPOCHS (default 6), ALSO_SHARE (the reviewed frames' share of each epoch, train_segnet.py
# --also-share; default 0: as often as they occur), REVIEW_M / EVAL_M (survey lengths, default
# 600 and 300), BR (br-road-damage).
# Every step's output stays in OUT; a step whose output exists is not run again.
set -euo pipefail
out="$(realpath -m "${1:?usage: $0 OUT}")"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
voirie="$build/bin/voirie"
reviewer="$build/bin/voirie_play_reviewer"
br="${BR:-$root/../shared/datasets/br-road-damage}"
minutes="${MINUTES:-15}"
epochs="${EPOCHS:-6}"
also_share="${ALSO_SHARE:-0}"
review_m="${REVIEW_M:-600}"
eval_m="${EVAL_M:-300}"
review_seeds=(101 102)
eval_seeds=(201 202 203)
for tool in "$voirie" "$reviewer"; do
    [ -x "$tool" ] || { echo "$tool is missing: run scripts/build.sh first" >&2; exit 1; }
done
[ -d "$br/images" ] || { echo "br-road-damage not found at $br (set BR)" >&2; exit 1; }
mkdir -p "$out"
cd "$root"

survey() { # seed length
    [ -f "$out/s$1/survey.json" ] || "$voirie" sample --out "$out/s$1" --seed "$1" --length-m "$2" --damage-per-km 80 --quiet
}
analyze() { # seed project [analyze options]
    [ -f "$2" ] || "$voirie" analyze --video "$out/s$1/survey.mp4" --track "$out/s$1/survey.gpx" \
        --camera "$out/s$1/camera.json" --no-anonymize --quiet --out "$2" "${@:3}"
}

echo "== the department's surveys, reviewed from their truth"
reviewed=()
for seed in "${review_seeds[@]}"; do
    survey "$seed" "$review_m"
    analyze "$seed" "$out/review-$seed.gpkg"
    if [ ! -f "$out/reviewed-$seed.json" ]; then
        cp "$out/review-$seed.gpkg" "$out/reviewed-$seed.gpkg"
        "$reviewer" "$out/reviewed-$seed.gpkg" "$out/s$seed" > "$out/reviewed-$seed.json.partial"
        mv "$out/reviewed-$seed.json.partial" "$out/reviewed-$seed.json"
    fi
    echo "seed $seed: $(cat "$out/reviewed-$seed.json")"
    reviewed+=("$out/reviewed-$seed.gpkg")
done

echo "== voirie dataset"
if [ ! -f "$out/dataset.json" ]; then
    "$voirie" dataset "${reviewed[@]}" --out "$out/my-roads" --overwrite --json > "$out/dataset.json.partial"
    mv "$out/dataset.json.partial" "$out/dataset.json"
fi
cat "$out/dataset.json"; echo

echo "== fine-tune: at most $minutes minutes at 2 threads"
if [ ! -f "$out/model/road-segnet.onnx" ]; then
    /usr/bin/time -f "fine-tune CPU %U s user + %S s system, wall %e s" \
        /usr/bin/python3 tools/train/train_segnet.py --data "$br" --also "$out/my-roads" \
        --init plugins/road-segnet/model/road-segnet.pt --epochs "$epochs" --lr 2e-3 --minutes "$minutes" \
        --threads 2 --also-share "$also_share" --out "$out/model" 2>&1 | tee "$out/fine-tune.log"
fi

echo "== three unseen seeds: the shipped model, then the fine-tuned one"
for seed in "${eval_seeds[@]}"; do
    survey "$seed" "$eval_m"
    analyze "$seed" "$out/before-$seed.gpkg"
    analyze "$seed" "$out/after-$seed.gpkg" --param "road-segnet.model=$out/model/road-segnet.onnx"
    for model in before after; do
        if [ ! -f "$out/eval-$model-$seed.json" ]; then
            "$voirie" eval "$out/$model-$seed.gpkg" --truth "$out/s$seed/ground_truth.geojson" \
                --json > "$out/eval-$model-$seed.json.partial"
            mv "$out/eval-$model-$seed.json.partial" "$out/eval-$model-$seed.json"
        fi
    done
done

echo "== br-road-damage validation split: the shipped model, then the fine-tuned one"
[ -f "$out/br-before.json" ] || /usr/bin/python3 tools/train/evaluate_segnet.py --data "$br" --voirie "$voirie" --out "$out/br-before.json" > /dev/null
[ -f "$out/br-after.json" ] || /usr/bin/python3 tools/train/evaluate_segnet.py --data "$br" --voirie "$voirie" \
    --param "road-segnet.model=$out/model/road-segnet.onnx" --out "$out/br-after.json" > /dev/null

/usr/bin/python3 - "$out" "${eval_seeds[@]}" <<'EOF'
import json, sys
out, seeds = sys.argv[1], sys.argv[2:]
def pooled(model):
    total = {}
    for s in seeds:
        e = json.load(open(f"{out}/eval-{model}-{s}.json"))
        for c, v in list(e["classes"].items()) + [("overall", e["overall"])]:
            t = total.setdefault(c, [0, 0, 0])
            t[0] += v["tp"]; t[1] += v["fp"]; t[2] += v["fn"]
    return {c: 2 * tp / max(1, 2 * tp + fp + fn) for c, (tp, fp, fn) in total.items()}
before, after = pooled("before"), pooled("after")
print(f"voirie eval on seeds {', '.join(seeds)} (never reviewed), F1 pooled over the three:")
print(f"{'class':8} {'shipped':>8} {'fine-tuned':>10}")
for c in sorted(k for k in before if k != "overall") + ["overall"]:
    print(f"{c:8} {before[c]:8.2f} {after.get(c, 0):10.2f}")
b, a = json.load(open(f"{out}/br-before.json")), json.load(open(f"{out}/br-after.json"))
def flat(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from flat(v, prefix + k + ".")
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            yield prefix + k, v
fb, fa = dict(flat(b)), dict(flat(a))
print("br-road-damage validation split (shipped -> fine-tuned):")
for k in fb:
    if k.endswith("f1") and k in fa:
        print(f"  {k}: {fb[k]:.3f} -> {fa[k]:.3f} ({fa[k] - fb[k]:+.3f})")
EOF
