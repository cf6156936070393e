#!/usr/bin/python3
"""Checks of the road-boxes training tool (ctest: train.boxnet): the FCOS targets, the CRDDC
scoring, that a mask folder teaches potholes only, and a short training on generated VOC and mask
folders that stops, resumes, exports a model OpenCV runs and a manifest the road-boxes plugin reads
(`voirie detect` on it, when given the binary). Small generated images: plumbing, not accuracy.

  test_boxnet.py [PATH/TO/voirie]"""
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
import box_dataset  # noqa: E402
import box_metrics  # noqa: E402
import train_boxnet  # noqa: E402
from boxnet_model import BOX_CLASSES, STRIDE  # noqa: E402


def make_voc_folder(root, count, rng):
    os.makedirs(os.path.join(root, "images"))
    os.makedirs(os.path.join(root, "annotations"))
    for i in range(count):
        name = f"v{i:03d}"
        image = rng.integers(90, 140, (128, 128, 3), dtype=np.uint8)
        x, y = int(rng.integers(10, 70)), int(rng.integers(10, 70))
        cv2.rectangle(image, (x, y), (x + 40, y + 30), (30, 30, 30), -1)
        cv2.imwrite(os.path.join(root, "images", name + ".jpg"), image)
        with open(os.path.join(root, "annotations", name + ".xml"), "w") as f:
            f.write(f"<annotation><filename>{name}.jpg</filename><object><name>D40</name><bndbox><xmin>{x}</xmin>"
                    f"<ymin>{y}</ymin><xmax>{x + 40}</xmax><ymax>{y + 30}</ymax></bndbox></object>"
                    f"<object><name>D43</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox>"
                    f"</object></annotation>")


def make_mask_folder(root, count, rng):
    os.makedirs(os.path.join(root, "images"))
    os.makedirs(os.path.join(root, "masks"))
    for i in range(count):
        name = f"m{i:03d}"
        image = rng.integers(90, 140, (80, 128, 3), dtype=np.uint8)
        pothole = np.zeros((80, 128), np.uint8)
        if i % 2 == 0:  # half the images show no pothole: left out of training
            cv2.circle(pothole, (int(rng.integers(20, 100)), 40), 10, 255, -1)
        image[pothole > 0] = 30
        cv2.imwrite(os.path.join(root, "images", name + ".jpg"), image)
        cv2.imwrite(os.path.join(root, "masks", name + "_pothole.png"), pothole)


def check_targets(failures):
    size = 64
    big = np.array([[0, 8, 8, 56, 56]], np.float32)             # D00 over most of the image
    small = np.array([[3, 20, 20, 36, 36]], np.float32)         # D40 inside it
    tiny = np.array([[1, 41.0, 41.0, 43.0, 43.0]], np.float32)  # D10 smaller than a cell
    cls_t, box_t, ctr_t, pos = train_boxnet.assign([np.concatenate([big, small]), tiny], size)
    cols = size // STRIDE
    centre = 3 * cols + 3  # cell (3, 3): centre (28, 28), inside both boxes
    if not pos[0, centre] or cls_t[0, 3, centre] != 1 or cls_t[0, 0, centre] != 0:
        failures.append("where two boxes overlap, the smaller (D40) should own the cell")
    if not torch.allclose(box_t[0, centre], torch.tensor([20.0, 20.0, 36.0, 36.0])):
        failures.append(f"the cell's box target is {box_t[0, centre].tolist()}, not the D40 box")
    if int(pos[1].sum()) != 1 or cls_t[1, 1].sum() != 1:
        failures.append("a box smaller than a cell should still get the cell holding its centre")
    if not (0 < float(ctr_t[0, centre]) <= 1):
        failures.append("centre-ness out of (0, 1]")


def check_scoring(failures):
    truth = [("D00", 10, 10, 50, 20), ("D40", 60, 60, 90, 90), ("Repair", 0, 0, 5, 5)]
    perfect = [(c, 0.9, *b) for c, *b in truth]
    s = box_metrics.score([box_metrics.count_matches(perfect, truth)])
    if abs(s["f1"] - 1) > 1e-9:
        failures.append(f"perfect detections score F1 {s['f1']}")
    wrong_class = [("D10", 0.9, 10, 10, 50, 20), ("D40", 0.9, 60, 60, 90, 90)]
    s = box_metrics.score([box_metrics.count_matches(wrong_class, truth)])
    if abs(s["f1"] - 2 * 1 / (2 * 1 + 1 + 1)) > 1e-9:
        failures.append(f"one right, one of the wrong class: F1 {s['f1']}, not 0.5")
    if s["per_class"]["Repair"]["truth"] != 1 or abs(s["recall"] - 0.5) > 1e-9:
        failures.append("Repair must be scored apart from the CRDDC classes")
    duplicate = [("D40", 0.9, 60, 60, 90, 90), ("D40", 0.8, 61, 61, 90, 90)]
    s = box_metrics.score([box_metrics.count_matches(duplicate, [("D40", 60, 60, 90, 90)])])
    if s["per_class"]["D40"]["precision"] != 0.5:
        failures.append("a true box may be matched once only")


def main():
    voirie = sys.argv[1] if len(sys.argv) > 1 else ""
    rng = np.random.default_rng(5)
    failures = []
    check_targets(failures)
    check_scoring(failures)
    with tempfile.TemporaryDirectory() as tmp:
        voc, masks, out = (os.path.join(tmp, n) for n in ("voc", "masks", "model"))
        make_voc_folder(voc, 40, rng)
        make_mask_folder(masks, 12, rng)
        if list(box_dataset.labelled_classes(masks)) != [0, 0, 0, 1, 0]:
            failures.append("a mask folder should label D40 only")
        boxes = box_dataset.read_voc(os.path.join(voc, "annotations", "v000.xml"))
        if [b[0] for b in boxes] != [BOX_CLASSES.index("D40")]:
            failures.append(f"read_voc kept {boxes}: classes road-boxes does not learn must be skipped")
        image, letterboxed = box_dataset.load_sample(masks, "m000", 64)
        if image.shape != (64, 64, 3) or not (image[0, 0] == box_dataset.PAD).all():
            failures.append("a wide image should be letterboxed with grey bars")
        if len(letterboxed) != 1 or not (12 <= letterboxed[0, 2] and letterboxed[0, 4] <= 52):
            failures.append(f"the pothole box is not where the letterboxed image shows it: {letterboxed}")

        command = [sys.executable, os.path.join(here, "train_boxnet.py"), "--data", voc, "--also", masks,
                   "--epochs", "2", "--batch", "4", "--input-size", "64", "--threads", "2", "--width", "8",
                   "--selection-percent", "20", "--out", out]
        first = subprocess.run(command + ["--stop-after", "1"], capture_output=True, text=True, timeout=300)
        if first.returncode != 0 or "--resume goes on" not in first.stdout:
            failures.append(f"the stopped run failed ({first.returncode}): {first.stdout[-1500:]} {first.stderr[-1500:]}")
        second = subprocess.run(command + ["--resume"], capture_output=True, text=True, timeout=300)
        if second.returncode != 0:
            failures.append(f"the resumed run failed ({second.returncode}): {second.stdout[-1500:]} {second.stderr[-1500:]}")
        else:
            if "resuming after epoch 1/2" not in second.stdout or "epoch 1/2" in second.stdout.replace("after epoch 1/2", ""):
                failures.append("the resumed run did not go on from epoch 1: " + second.stdout[:800])
            if "training and" not in first.stdout:
                failures.append("no summary of the data: " + first.stdout[:300])
            manifest = json.load(open(os.path.join(out, "road-boxes.json")))
            for key in ("model", "layout", "class_names", "confidence_threshold", "selection", "training"):
                if key not in manifest:
                    failures.append(f"the manifest lacks {key}")
            if manifest.get("layout") != "yolov8" or manifest.get("class_names") != BOX_CLASSES:
                failures.append("the manifest does not describe the exported layout and classes")
            net = cv2.dnn.readNetFromONNX(os.path.join(out, "road-boxes.onnx"))
            net.setInput(np.zeros((1, 3, 64, 64), np.float32))
            shape = net.forward().shape
            if shape != (1, 4 + len(BOX_CLASSES), (64 // STRIDE) ** 2):
                failures.append(f"OpenCV gives output {shape}")
            if voirie:
                image = os.path.join(voc, "images", "v000.jpg")
                run = subprocess.run([voirie, "detect", "--plugins", "road-boxes", "--param",
                                      f"road-boxes.model={os.path.join(out, 'road-boxes.json')}", "--param",
                                      "road-boxes.confidence=0.01", "--json", image],
                                     capture_output=True, text=True, timeout=120)
                if run.returncode != 0:
                    failures.append(f"voirie detect with the trained model failed: {run.stdout[-800:]} {run.stderr[-800:]}")
                else:
                    got = json.loads(run.stdout)["images"][0]
                    if got["width"] != 128 or not isinstance(got["detections"], list):
                        failures.append(f"voirie detect answered {run.stdout[:300]}")
    for f in failures:
        print("FAIL:", f)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
