"""Reads a road-damage dataset in the br-road-damage layout and augments it for dash-cam footage.

Layout: DIR/images/<name>.jpg and DIR/masks/<name>_pothole.png, <name>_crack.png, <name>_lane.png
(255 = the class; a missing mask reads as empty, so a department may label only potholes).
The validation split is fixed by the image name alone (see is_validation), so it does not move
when images are added or removed and a model is never trained on the images it is scored on."""
import hashlib
import os

import cv2
import numpy as np

from segnet_model import CLASSES

VALIDATION_PERCENT = 15


def is_validation(name, percent=VALIDATION_PERCENT):
    """An image belongs to the validation split when the first 8 hex digits of the SHA-1 of its
    name (without extension), read as a number, modulo 100, are below `percent`."""
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:8], 16) % 100 < percent


def is_selection(name, percent):
    """Like is_validation, on the SHA-1 of "selection:" and the name: a draw independent of it."""
    return int(hashlib.sha1(("selection:" + name).encode("utf-8")).hexdigest()[:8], 16) % 100 < percent


def image_names(root):
    folder = os.path.join(root, "images")
    if not os.path.isdir(folder):
        raise SystemExit(f"{root}: no images/ folder (expected images/<name>.jpg and masks/<name>_<class>.png)")
    names = sorted(os.path.splitext(f)[0] for f in os.listdir(folder)
                   if f.lower().endswith((".jpg", ".jpeg", ".png")))
    if not names:
        raise SystemExit(f"{folder}: no images")
    return names


def split(root, percent=VALIDATION_PERCENT, selection_percent=0):
    """(training, validation, selection) image names. The selection split is `selection_percent`
    of the images outside the validation split (is_selection), also never trained on: a model is
    chosen over another on it, so that the validation figures stay unbiased by the choice."""
    names = image_names(root)
    rest = [n for n in names if not is_validation(n, percent)]
    return ([n for n in rest if not is_selection(n, selection_percent)],
            [n for n in names if is_validation(n, percent)],
            [n for n in rest if is_selection(n, selection_percent)])


def labelled_classes(root):
    """1 for each class (CLASSES order) that at least one image of the folder has a mask for, else
    0: a folder without any lane mask (`voirie dataset` output) does not label lanes at all."""
    folder = os.path.join(root, "masks")
    files = os.listdir(folder) if os.path.isdir(folder) else []
    return np.array([float(any(f.endswith(f"_{c}.png") for f in files)) for c in CLASSES], np.float32)


def image_path(root, name):
    for ext in (".jpg", ".jpeg", ".png", ".JPG"):
        p = os.path.join(root, "images", name + ext)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(name)


def load_sample(root, name, width, height):
    """The image (BGR uint8) and a (classes, H, W) float mask at the network's input size.
    Cracks are a pixel or two wide: they are kept where they cover a quarter of an output pixel,
    so shrinking the image does not erase them."""
    img = cv2.imread(image_path(root, name), cv2.IMREAD_COLOR)
    if img is None:
        raise SystemExit(f"{image_path(root, name)}: cannot be decoded")
    small = cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)
    masks = np.zeros((len(CLASSES), height, width), np.float32)
    for c, cls in enumerate(CLASSES):
        p = os.path.join(root, "masks", f"{name}_{cls}.png")
        m = cv2.imread(p, cv2.IMREAD_GRAYSCALE) if os.path.exists(p) else None
        if m is None:
            continue
        area = cv2.resize((m > 127).astype(np.float32), (width, height), interpolation=cv2.INTER_AREA)
        masks[c] = area > (0.25 if cls == "crack" else 0.5)
    return small, masks


def load_all(root, names, width, height):
    images = np.zeros((len(names), height, width, 3), np.uint8)
    masks = np.zeros((len(names), len(CLASSES), height, width), np.uint8)
    for i, n in enumerate(names):
        images[i], m = load_sample(root, n, width, height)
        masks[i] = m
    return images, masks


def augment(image, masks, rng):
    """What changes between dash-cams and days: exposure, contrast, focus, compression, the side
    of the road, and small changes of mounting (perspective)."""
    h, w = image.shape[:2]
    if rng.random() < 0.5:
        image = image[:, ::-1]
        masks = masks[:, :, ::-1]
    if rng.random() < 0.7:  # mounting: move each corner by up to 4% of the size
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = src + rng.uniform(-0.04, 0.04, (4, 2)).astype(np.float32) * np.float32([w, h])
        H = cv2.getPerspectiveTransform(src, dst)
        image = cv2.warpPerspective(np.ascontiguousarray(image), H, (w, h), flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_REFLECT)
        masks = np.stack([cv2.warpPerspective(np.ascontiguousarray(m), H, (w, h), flags=cv2.INTER_NEAREST,
                                              borderMode=cv2.BORDER_REFLECT) for m in masks])
    image = photometric(image, rng)
    return np.ascontiguousarray(image), np.ascontiguousarray(masks)


def photometric(image, rng, blur=0.25, max_sigma=1.2, jpeg=0.4, min_quality=30):
    """Exposure and contrast, a colour cast, focus (blur with probability `blur`) and compression
    (JPEG with probability `jpeg`): the pixels' share of what changes between cameras and days."""
    image = image.astype(np.float32) * rng.uniform(0.65, 1.35) + rng.uniform(-30, 30)
    if rng.random() < 0.3:  # colour cast
        image = image * rng.uniform(0.9, 1.1, 3)
    image = np.clip(image, 0, 255).astype(np.uint8)
    if rng.random() < blur:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.4, max_sigma))
    if rng.random() < jpeg:
        _, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(min_quality, 90))])
        image = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return image


def to_tensor_layout(images):
    """BGR uint8 (N, H, W, 3) -> RGB float (N, 3, H, W) in [0, 1]: the plugin feeds the same."""
    return images[..., ::-1].transpose(0, 3, 1, 2).astype(np.float32) / 255.0
