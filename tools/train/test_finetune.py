#!/usr/bin/python3
"""Smoke test of a bounded fine-tune (ctest: train.finetune): the shipped weights fine-tuned on a
`voirie dataset`-like folder (pothole and crack masks, no lane masks) mixed with a folder in the
br-road-damage layout; the model, its description and its card written; a class a folder does not
label teaches nothing. Small generated images: it checks the plumbing, not the model."""
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import road_dataset  # noqa: E402
import train_segnet  # noqa: E402


def make_folder(root, count, with_lane, rng):
    os.makedirs(os.path.join(root, "images"))
    os.makedirs(os.path.join(root, "masks"))
    for i in range(count):
        name = f"f{i:03d}"
        image = rng.integers(60, 120, (64, 96, 3), dtype=np.uint8)
        pothole = np.zeros((64, 96), np.uint8)
        crack = np.zeros((64, 96), np.uint8)
        cv2.circle(pothole, (int(rng.integers(20, 76)), int(rng.integers(30, 56))), 6, 255, -1)
        cv2.line(crack, (10, int(rng.integers(10, 60))), (86, int(rng.integers(10, 60))), 255, 2)
        image[pothole > 0] = 30
        image[crack > 0] = 20
        cv2.imwrite(os.path.join(root, "images", name + ".jpg"), image)
        cv2.imwrite(os.path.join(root, "masks", name + "_pothole.png"), pothole)
        cv2.imwrite(os.path.join(root, "masks", name + "_crack.png"), crack)
        if with_lane:
            lane = np.zeros((64, 96), np.uint8)
            lane[40:, 30:66] = 255
            cv2.imwrite(os.path.join(root, "masks", name + "_lane.png"), lane)


def main():
    rng = np.random.default_rng(3)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        original, mine, out = (os.path.join(tmp, n) for n in ("original", "my-roads", "model"))
        make_folder(original, 16, True, rng)
        make_folder(mine, 16, False, rng)
        if list(road_dataset.labelled_classes(mine)) != [1.0, 1.0, 0.0]:
            failures.append(f"labelled_classes({mine}) = {road_dataset.labelled_classes(mine)}, not pothole and crack only")

        # An unlabelled class: its target does not change the loss.
        logits = torch.randn(2, 3, 8, 8)
        target = (torch.rand(2, 3, 8, 8) > 0.5).float()
        other = target.clone()
        other[:, 2] = 1 - other[:, 2]
        labelled = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
        if abs(float(train_segnet.loss_fn(logits, target, None, labelled) -
                     train_segnet.loss_fn(logits, other, None, labelled))) > 1e-6:
            failures.append("the lane target of images that do not label lanes changed the loss")

        # The department's images drawn at the share asked for, whatever their number.
        weights = train_segnet.folder_share_weights(np.array([False] * 90 + [True] * 10), 0.4)
        if abs(weights[90:].sum() - 0.4) > 1e-9 or abs(weights[0] - 0.6 / 90) > 1e-12:
            failures.append(f"--also-share 0.4 draws the --also images {weights[90:].sum():.3f} of the time")

        shipped = os.path.join(here, "..", "..", "plugins", "road-segnet", "model", "road-segnet.pt")
        command = [sys.executable, os.path.join(here, "train_segnet.py"), "--data", original, "--also", mine,
                   "--init", shipped, "--epochs", "2", "--batch", "4", "--input-width", "96", "--input-height", "64",
                   "--minutes", "2", "--threads", "2", "--also-share", "0.5", "--out", out]
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            failures.append(f"fine-tune failed ({run.returncode}): {run.stdout[-2000:]} {run.stderr[-2000:]}")
        else:
            for f in ("road-segnet.onnx", "road-segnet.json", "road-segnet.pt", "MODEL_CARD.md"):
                if not os.path.exists(os.path.join(out, f)):
                    failures.append(f"{f} not written")
            info = json.load(open(os.path.join(out, "road-segnet.json")))
            if info["training"]["also"] != [os.path.abspath(mine)] or info["training"]["minutes_limit"] != 2:
                failures.append(f"the description does not say where the data came from: {info['training']}")
            if not info["training"]["init"]:
                failures.append("the description does not say the shipped weights were the start")
            card = open(os.path.join(out, "MODEL_CARD.md")).read()
            if mine not in card or "voirie dataset" not in card:
                failures.append("the model card does not credit the department's data")
            if "from 2 folder(s)" not in run.stdout:
                failures.append("the two folders were not both read: " + run.stdout[:500])
    for f in failures:
        print("FAIL:", f)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
