#!/usr/bin/env bash
# Retrains road-segnet by the shipped model's recipe (its model card: three chained runs, width
# 24, 18 + 10 + 36 epochs), with any extra train_segnet.py options given to every run, e.g. the
# selection split another candidate was trained with, so the two compare fairly:
#   tools/train/shipped_recipe.sh OUT --selection-percent 15
# Resumable: the same command goes on where it stopped (each run with --resume; a finished run,
# one with OUT/runN/road-segnet.onnx, is skipped). At the lowest priority, autogroup included.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUT [train_segnet.py options]" >&2; exit 2; }
out="$(realpath -m "$1")"; shift
here="$(cd "$(dirname "$0")" && pwd)"
echo 19 > /proc/self/autogroup 2>/dev/null || true
data="${VOIRIE_TRAIN_DATA:-$here/../../../shared/datasets/br-road-damage}"
train() {
  local dir="$1"; shift
  [ -f "$dir/road-segnet.onnx" ] && return 0
  nice -n 19 /usr/bin/python3 "$here/train_segnet.py" --data "$data" --out "$dir" --resume "$@"
}
train "$out/run1" --epochs 18 --lr 4e-3 --seed 0 "$@"
train "$out/run2" --init "$out/run1/road-segnet.pt" --epochs 10 --lr 1.5e-3 --seed 1 "$@"
train "$out/run3" --init "$out/run2/road-segnet.pt" --epochs 36 --lr 2e-3 --seed 3 "$@"
echo "the shipped recipe's model: $out/run3/road-segnet.onnx"
