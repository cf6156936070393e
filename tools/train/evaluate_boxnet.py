#!/usr/bin/python3
"""Scores a box detector plugin (road-boxes by default) as Voirie runs it on a Pascal VOC dataset's
held-out split, the way CRDDC scores: `voirie detect --json` on the split's images, then
`voirie eval-boxes --truth` on the split's VOC files (IoU >= 0.5; D00, D10, D20, D40 pooled;
Repair apart). Prints the figures, writes them as JSON, and fills the model card's section.

  tools/train/evaluate_boxnet.py --data ../shared/datasets/rdd2022-china-motorbike \\
      [--split validation|selection] [--plugins road-boxes] [--param road-boxes.model=M.json] \\
      [--out figures.json] [--card plugins/road-boxes/model/MODEL_CARD.md]"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import road_dataset  # noqa: E402

CARD_BEGIN = "<!-- evaluate_boxnet.py: begin -->"
CARD_END = "<!-- evaluate_boxnet.py: end -->"


def split_names(root, split, validation_percent, selection_percent):
    training, validation, selection = road_dataset.split(root, validation_percent, selection_percent)
    return {"validation": validation, "selection": selection, "training": training}[split]


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} ... failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return done.stdout


def card_section(figures):
    s = figures["scores"]
    lines = [CARD_BEGIN, "",
             f"Scored by `tools/train/evaluate_boxnet.py` through `voirie detect --plugins {figures['plugins']}` and "
             f"`voirie eval-boxes` on the **{figures['split']}** split of {figures['data_name']} "
             f"({figures['images']} images never trained on), IoU >= 0.5:", "",
             "| class | precision | recall | F1 | true boxes |", "|---|---|---|---|---|"]
    for c, v in s["classes"].items():
        lines.append(f"| {c} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['tp'] + v['fn']} |")
    o = s["overall"]
    lines.append(f"| **CRDDC (D00, D10, D20, D40)** | {o['precision']:.3f} | {o['recall']:.3f} | **{o['f1']:.3f}** | "
                 f"{o['tp'] + o['fn']} |")
    for c, v in s.get("apart", {}).items():
        lines.append(f"| {c} (apart) | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['tp'] + v['fn']} |")
    lines += ["", f"The whole `voirie detect` run took {figures['ms_per_image']:.0f} ms per image (wall time, process "
              "start and model load included; the per-frame cost on one core is measured by "
              "`build/bin/voirie_bench_plugins`).", "", CARD_END]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="a VOC folder: images/ and annotations/")
    ap.add_argument("--voirie", default="build/bin/voirie")
    ap.add_argument("--plugins", default="road-boxes", help="passed to voirie detect --plugins")
    ap.add_argument("--param", action="append", default=[], help="passed to voirie detect")
    ap.add_argument("--split", choices=["validation", "selection", "training"], default="validation")
    ap.add_argument("--validation-percent", type=int, default=road_dataset.VALIDATION_PERCENT)
    ap.add_argument("--selection-percent", type=int, default=15)
    ap.add_argument("--out", help="write the figures here as JSON")
    ap.add_argument("--card", help="fill this MODEL_CARD.md's section between the evaluate_boxnet.py markers")
    args = ap.parse_args()

    names = split_names(args.data, args.split, args.validation_percent, args.selection_percent)
    with tempfile.TemporaryDirectory() as tmp:
        images, truth = os.path.join(tmp, "images"), os.path.join(tmp, "annotations")
        os.makedirs(images)
        os.makedirs(truth)
        for n in names:
            image = road_dataset.image_path(args.data, n)
            os.symlink(os.path.abspath(image), os.path.join(images, os.path.basename(image)))
            os.symlink(os.path.abspath(os.path.join(args.data, "annotations", n + ".xml")), os.path.join(truth, n + ".xml"))
        command = [args.voirie, "detect", "--plugins", args.plugins, "--json"]
        for p in args.param:
            command += ["--param", p]
        started = time.time()
        detections = run(command + [images])
        seconds = time.time() - started
        path = os.path.join(tmp, "detections.json")
        with open(path, "w") as f:
            f.write(detections)
        scores = json.loads(run([args.voirie, "eval-boxes", path, "--truth", truth, "--json"]))
    figures = {"data": os.path.abspath(args.data), "data_name": os.path.basename(os.path.normpath(args.data)),
               "split": args.split, "images": len(names), "plugins": args.plugins, "params": args.param,
               "scores": scores, "ms_per_image": 1000 * seconds / max(1, len(names))}
    o = scores["overall"]
    print(f"{args.split} split, {len(names)} images: CRDDC F1 {o['f1']:.3f} (precision {o['precision']:.3f}, "
          f"recall {o['recall']:.3f})")
    for c, v in scores["classes"].items():
        print(f"  {c}: F1 {v['f1']:.3f} (P {v['precision']:.2f} R {v['recall']:.2f}, {v['tp'] + v['fn']} true)")
    for c, v in scores.get("apart", {}).items():
        print(f"  {c} (apart): F1 {v['f1']:.3f} (P {v['precision']:.2f} R {v['recall']:.2f}, {v['tp'] + v['fn']} true)")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(figures, f, indent=2)
    if args.card:
        text = open(args.card).read()
        if CARD_BEGIN not in text or CARD_END not in text:
            raise SystemExit(f"{args.card} has no {CARD_BEGIN} ... {CARD_END} section to fill")
        head, rest = text.split(CARD_BEGIN, 1)
        tail = rest.split(CARD_END, 1)[1]
        with open(args.card, "w") as f:
            f.write(head + card_section(figures) + tail)


if __name__ == "__main__":
    main()
