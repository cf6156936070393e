#!/usr/bin/python3
"""Scores the road-segnet plugin (as Voirie runs it: `voirie detect`) on a dataset's validation split
with the definitions of issue 11, and prints and writes the figures (JSON).

  tools/train/evaluate_segnet.py --data ../shared/datasets/br-road-damage [--voirie build/bin/voirie]
      [--param road-segnet.crack_threshold=0.4 ...] [--out metrics.json] [--card MODEL_CARD.md]

Image level: an image is positive for a class when its mask has at least 50 pixels of it at
640x400; predicted positive when the plugin returns any detection of that class (crack = D00, D10
or D20; pothole = D40). Pothole localization: recall is the share of pothole-mask connected
components of at least 200 pixels with at least half their pixels inside the union of predicted
D40 boxes; precision the share of predicted D40 boxes with at least 10% of their area on pothole
pixels, or covering half of a component; F1 of the two."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_card  # noqa: E402
import road_dataset  # noqa: E402

SIZE = (640, 400)
CRACK_CODES = {"D00", "D10", "D20"}


def f1(p, r):
    return 2 * p * r / (p + r) if p + r else 0.0


def truth_mask(root, name, cls):
    p = os.path.join(root, "masks", f"{name}_{cls}.png")
    m = cv2.imread(p, cv2.IMREAD_GRAYSCALE) if os.path.exists(p) else None
    if m is None:
        return np.zeros((SIZE[1], SIZE[0]), bool)
    return cv2.resize(m, SIZE, interpolation=cv2.INTER_NEAREST) > 127


def image_level(pairs):
    tp = sum(t and p for t, p in pairs)
    fp = sum(p and not t for t, p in pairs)
    fn = sum(t and not p for t, p in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"positives": tp + fn, "predicted": tp + fp, "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1(precision, recall), 4)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--voirie", default="build/bin/voirie")
    ap.add_argument("--param", action="append", default=[], help="passed to voirie detect (road-segnet.key=value)")
    ap.add_argument("--plugin", default="road-segnet", help="the detector plugin to score (any Voirie detector)")
    ap.add_argument("--split", choices=["validation", "training", "selection"], default="validation",
                    help="score the validation split (the figures to report), training images (to tune thresholds "
                         "without looking at the validation split), or the selection split (images neither trained "
                         "on nor reported: to choose between models trained with --selection-percent)")
    ap.add_argument("--selection-percent", type=int, default=15,
                    help="the selection split's share, as the models compared were trained with")
    ap.add_argument("--limit", type=int, default=0, help="score N images spread over the split")
    ap.add_argument("--out", help="write the figures here as JSON")
    ap.add_argument("--card", help="fill the plugin-level section of this MODEL_CARD.md with the figures")
    args = ap.parse_args()

    training, validation, _ = road_dataset.split(args.data)
    selection = road_dataset.split(args.data, selection_percent=args.selection_percent)[2]
    names = {"validation": validation, "training": training, "selection": selection}[args.split]
    if args.limit and args.limit < len(names):
        names = [names[i * len(names) // args.limit] for i in range(args.limit)]
    with tempfile.TemporaryDirectory() as folder:
        for n in names:  # the validation images only, by link
            src = os.path.abspath(road_dataset.image_path(args.data, n))
            os.symlink(src, os.path.join(folder, os.path.basename(src)))
        command = [args.voirie, "detect", "--json", "--plugins", args.plugin]
        for p in args.param:
            command += ["--param", p]
        run = subprocess.run(command + [folder], capture_output=True, text=True)
        if run.returncode != 0 or not run.stdout.strip():
            raise SystemExit(f"voirie detect failed ({run.returncode}): {run.stderr.strip()}")
        result = json.loads(run.stdout)

    crack_pairs, pothole_pairs = [], []
    components = covered = boxes = boxes_on = 0
    for entry in result["images"]:
        name = os.path.splitext(os.path.basename(entry["path"]))[0]
        sx, sy = SIZE[0] / entry["width"], SIZE[1] / entry["height"]
        dets = entry.get("detections", [])
        crack, pothole = truth_mask(args.data, name, "crack"), truth_mask(args.data, name, "pothole")
        crack_pairs.append((bool(crack.sum() >= 50), any(d["class"] in CRACK_CODES for d in dets)))
        pothole_pairs.append((bool(pothole.sum() >= 50), any(d["class"] == "D40" for d in dets)))

        union = np.zeros(pothole.shape, bool)
        rects = []
        for d in dets:
            if d["class"] != "D40":
                continue
            x, y, w, h = d["box"]
            x0, y0 = int(np.floor(x * sx)), int(np.floor(y * sy))
            x1, y1 = int(np.ceil((x + w) * sx)), int(np.ceil((y + h) * sy))
            x0, y0, x1, y1 = max(0, x0), max(0, y0), min(SIZE[0], x1), min(SIZE[1], y1)
            if x1 > x0 and y1 > y0:
                rects.append((x0, y0, x1, y1))
                union[y0:y1, x0:x1] = True
        count, labels, stats, _ = cv2.connectedComponentsWithStats(pothole.astype(np.uint8), connectivity=8)
        big = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= 200]
        components += len(big)
        covered += int(sum(1 for i in big if union[labels == i].sum() * 2 >= stats[i, cv2.CC_STAT_AREA]))
        for (x0, y0, x1, y1) in rects:
            boxes += 1
            on = pothole[y0:y1, x0:x1].sum() >= 0.1 * (x1 - x0) * (y1 - y0)
            inside = labels[y0:y1, x0:x1]
            half = any((inside == i).sum() * 2 >= stats[i, cv2.CC_STAT_AREA] for i in big)
            boxes_on += bool(on or half)

    recall = covered / components if components else 0.0
    precision = boxes_on / boxes if boxes else 0.0
    figures = {
        "plugin": args.plugin, "params": args.param, "split": args.split, "images": len(result["images"]),
        "crack_image_level": image_level(crack_pairs),
        "pothole_image_level": image_level(pothole_pairs),
        "pothole_localization": {"components": components, "components_found": covered, "boxes": boxes,
                                 "boxes_on_potholes": boxes_on, "precision": round(precision, 4),
                                 "recall": round(recall, 4), "f1": round(f1(precision, recall), 4)},
    }
    print(json.dumps(figures, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(figures, f, indent=2)
    if args.card:
        if args.split != "validation" or args.limit:
            raise SystemExit("--card takes the figures of the whole validation split only")
        model_card.fill_plugin_metrics(args.card, figures)


if __name__ == "__main__":
    main()
