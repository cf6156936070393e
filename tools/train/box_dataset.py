"""Box training data for road-boxes: Pascal VOC folders (RDD2022: images/, annotations/<name>.xml)
and mask folders (br-road-damage layout: potholes become D40 boxes, one per connected region).

Every image is letterboxed to the square input as the onnx-yolo plugin does at run time (scaled to
fit, centred, padded with grey 114), so a wide dash-cam frame and a square RDD photo are seen alike.
A folder labels only some classes: a mask folder says where potholes are, not which cracks are
longitudinal, so its images teach D40 and nothing about the other classes (`labelled`).
Splits are fixed by image name (road_dataset.is_validation / is_selection), the same draw as
road-segnet's, so br-road-damage's validation images stay unseen by both models."""
import os
import xml.etree.ElementTree as ET

import cv2
import numpy as np

import road_dataset
from boxnet_model import BOX_CLASSES

PAD = 114


def is_voc(root):
    return os.path.isdir(os.path.join(root, "annotations"))


def read_voc(path):
    """[(class index, x1, y1, x2, y2)] of the classes road-boxes learns; others are skipped."""
    boxes = []
    for obj in ET.parse(path).getroot().iter("object"):
        name = (obj.findtext("name") or "").strip()
        if name not in BOX_CLASSES:
            continue
        bb = obj.find("bndbox")
        x1, y1, x2, y2 = (float(bb.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
        if x2 > x1 and y2 > y1:
            boxes.append((BOX_CLASSES.index(name), x1, y1, x2, y2))
    return boxes


def pothole_boxes(mask_path, min_pixels=30):
    m = cv2.imread(mask_path, cv2.IMREAD_GRAYSCALE) if os.path.exists(mask_path) else None
    if m is None:
        return []
    count, _, stats, _ = cv2.connectedComponentsWithStats((m > 127).astype(np.uint8), connectivity=8)
    d40 = BOX_CLASSES.index("D40")
    return [(d40, float(x), float(y), float(x + w), float(y + h))
            for x, y, w, h, area in stats[1:count] if area >= min_pixels]


def labelled_classes(root):
    if is_voc(root):
        return np.ones(len(BOX_CLASSES), np.float32)
    labelled = np.zeros(len(BOX_CLASSES), np.float32)
    labelled[BOX_CLASSES.index("D40")] = 1
    return labelled


def letterbox(image, size):
    """(size x size image, scale, pad x, pad y), as the onnx-yolo plugin letterboxes a frame."""
    h, w = image.shape[:2]
    scale = min(size / w, size / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    px, py = (size - nw) // 2, (size - nh) // 2
    out = np.full((size, size, 3), PAD, np.uint8)
    out[py:py + nh, px:px + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    return out, scale, px, py


def load_sample(root, name, size):
    img = cv2.imread(road_dataset.image_path(root, name), cv2.IMREAD_COLOR)
    if img is None:
        raise SystemExit(f"{road_dataset.image_path(root, name)}: cannot be decoded")
    if is_voc(root):
        boxes = read_voc(os.path.join(root, "annotations", name + ".xml"))
    else:
        boxes = pothole_boxes(os.path.join(root, "masks", f"{name}_pothole.png"))
    out, scale, px, py = letterbox(img, size)
    b = np.array([[c, x1 * scale + px, y1 * scale + py, x2 * scale + px, y2 * scale + py]
                  for c, x1, y1, x2, y2 in boxes], np.float32).reshape(-1, 5)
    return out, b


def load_split(root, names, size, positive_only=False):
    """(images [N,size,size,3], boxes [(class, x1, y1, x2, y2)] per image). With positive_only, the
    images without a box are left out."""
    images, boxes = [], []
    for n in names:
        image, b = load_sample(root, n, size)
        if positive_only and not len(b):
            continue
        images.append(image)
        boxes.append(b)
    return np.stack(images) if images else np.zeros((0, size, size, 3), np.uint8), boxes


def augment(image, boxes, rng):
    """Flip, zoom and shift (the lane seen nearer or further), exposure, blur and compression.
    A box cut by the border keeps its visible part if at least 40% of it stays."""
    size = image.shape[0]
    boxes = boxes.copy()
    if rng.random() < 0.5:
        image = image[:, ::-1]
        boxes[:, [1, 3]] = size - boxes[:, [3, 1]]
    if rng.random() < 0.7:
        s = rng.uniform(0.75, 1.35)
        tx, ty = rng.uniform(-0.12, 0.12, 2) * size
        A = np.float32([[s, 0, (1 - s) * size / 2 + tx], [0, s, (1 - s) * size / 2 + ty]])
        image = cv2.warpAffine(np.ascontiguousarray(image), A, (size, size), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(PAD, PAD, PAD))
        moved = boxes[:, 1:] * s + np.float32([A[0, 2], A[1, 2], A[0, 2], A[1, 2]])
        area = (moved[:, 2] - moved[:, 0]) * (moved[:, 3] - moved[:, 1])
        clipped = np.clip(moved, 0, size)
        kept = (clipped[:, 2] - clipped[:, 0]) * (clipped[:, 3] - clipped[:, 1])
        ok = (kept >= 0.4 * np.maximum(area, 1e-6)) & (clipped[:, 2] - clipped[:, 0] >= 3) & (clipped[:, 3] - clipped[:, 1] >= 3)
        boxes = np.concatenate([boxes[:, :1], clipped], 1)[ok]
    image = road_dataset.photometric(image, rng, blur=0.2, max_sigma=1.1, jpeg=0.3, min_quality=35)
    return np.ascontiguousarray(image), boxes.astype(np.float32)
