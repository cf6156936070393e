#!/usr/bin/python3
"""Trains road-segnet (pothole, crack and lane masks) on a dataset in the br-road-damage layout and
writes the ONNX model the road-segnet plugin runs (road-segnet.onnx), its description
(road-segnet.json: input size, classes, how it was trained), the PyTorch weights for
fine-tuning (road-segnet.pt) and a model card (MODEL_CARD.md). CPU only; Debian's python3-torch (scripts/install-deps.sh).

  tools/train/train_segnet.py --data ../shared/datasets/br-road-damage --out plugins/road-segnet/model
  tools/train/train_segnet.py --data my-roads --init plugins/road-segnet/model/road-segnet.pt --epochs 6 --out my-model

Fine-tuning on a department's own roads (`voirie dataset` output), mixed with the original data so
that it does not forget real roads, in bounded time:
  tools/train/train_segnet.py --data ../shared/datasets/br-road-damage --also my-roads-training \
      --init plugins/road-segnet/model/road-segnet.pt --epochs 4 --minutes 30 --out my-model
"""
import argparse
import datetime
import json
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_card  # noqa: E402
import road_dataset  # noqa: E402
import training_state  # noqa: E402
from export_onnx import OPSET, export  # noqa: E402
from segnet_model import CLASSES, RoadSegNet, widen  # noqa: E402

# Cracks and potholes cover a few percent of a frame: weigh their pixels up, and add a Dice term
# so a thin crack counts as much as a large lane.
POS_WEIGHT = {"pothole": 6.0, "crack": 6.0, "lane": 1.0}
DICE_WEIGHT = {"pothole": 1.0, "crack": 1.0, "lane": 0.3}


def loss_fn(logits, target, pixel_weight=None, labelled=None):
    """`labelled` [B, C] (1/0): a class a dataset does not label (a `voirie dataset` folder has no
    lane masks) teaches nothing about that class, rather than "none here"."""
    pos = torch.tensor([POS_WEIGHT[c] for c in CLASSES]).view(1, -1, 1, 1)
    if labelled is not None:
        keep = labelled.view(labelled.shape[0], -1, 1, 1).expand_as(target)
        pixel_weight = keep if pixel_weight is None else pixel_weight * keep
    bce = F.binary_cross_entropy_with_logits(logits, target, weight=pixel_weight, pos_weight=pos)
    prob = torch.sigmoid(logits)
    if labelled is not None:
        prob, target = prob * keep, target * keep
    inter = (prob * target).sum((0, 2, 3))
    dice = 1 - (2 * inter + 1) / (prob.sum((0, 2, 3)) + target.sum((0, 2, 3)) + 1)
    return bce + sum(DICE_WEIGHT[c] * dice[i] for i, c in enumerate(CLASSES)) / len(CLASSES)


def small_pothole_weights(masks, reference_area):
    """Per-pixel loss weights [B, C, H, W]: sqrt(reference_area / area) on the pixels of each
    pothole smaller than `reference_area` pixels (at the input size), 1 elsewhere. Potholes are
    scored one by one (localization), but pixel losses are dominated by the large ones; the small
    ones are those the network misses. None when `reference_area` is 0."""
    if reference_area <= 0:
        return None
    weights = np.ones(masks.shape, np.float32)
    k = CLASSES.index("pothole")
    for b in range(len(masks)):
        count, labels, stats, _ = cv2.connectedComponentsWithStats((masks[b, k] > 0.5).astype(np.uint8), connectivity=8)
        for c in range(1, count):
            area = stats[c, cv2.CC_STAT_AREA]
            if area < reference_area:
                weights[b, k][labels == c] = np.sqrt(reference_area / area)
    return torch.from_numpy(weights)


def pixel_scores(net, images, masks, batch=32):
    """IoU per class at the network's input size (a quick check while training; the plugin-level
    figures come from evaluate_segnet.py)."""
    net.eval()
    inter = np.zeros(len(CLASSES))
    union = np.zeros(len(CLASSES))
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = torch.from_numpy(road_dataset.to_tensor_layout(images[i:i + batch]))
            p = (torch.sigmoid(net(x)).numpy() > 0.5)
            t = masks[i:i + batch] > 0
            inter += (p & t).sum((0, 2, 3))
            union += (p | t).sum((0, 2, 3))
    net.train()
    return {c: float(inter[k] / max(union[k], 1)) for k, c in enumerate(CLASSES)}


def sampling_weights(masks, pothole_share):
    """Per-image drawing probabilities that make images with pothole pixels `pothole_share` of an
    epoch, or None to draw every image once. Potholes are rarer than cracks and lanes, and it is
    their image-level and localization scores that lag."""
    if pothole_share <= 0:
        return None
    has = masks[:, CLASSES.index("pothole")].reshape(len(masks), -1).any(1)
    if not has.any() or has.all():
        return None
    p = np.where(has, pothole_share / has.sum(), (1 - pothole_share) / (~has).sum())
    return p / p.sum()


def folder_share_weights(from_also, also_share):
    """Per-image drawing probabilities that make the --also folders' images `also_share` of an
    epoch, or None to draw every image once. A department's reviewed frames are a few percent of
    the original data: drawn as often as they occur, they teach its roads little in a bounded time."""
    if also_share <= 0 or not from_also.any() or from_also.all():
        return None
    p = np.where(from_also, also_share / from_also.sum(), (1 - also_share) / (~from_also).sum())
    return p / p.sum()


# Options that must be the same when a run is resumed: they shape the network, the data or the schedule.
RESUME_MUST_MATCH = ("data", "also", "epochs", "batch", "lr", "input_width", "input_height", "width", "init", "widen_to",
                     "validation_percent", "selection_percent", "max_images", "pothole_share", "small_pothole_area",
                     "also_share")


def save_checkpoint(path, args, epochs_done, net, opt, sched, rng, seconds):
    """Everything a run needs to go on as if never stopped, written whole or not at all."""
    options = {k: getattr(args, k) for k in RESUME_MUST_MATCH}
    options["data"] = os.path.realpath(args.data)  # the same folder however it was named
    options["also"] = [os.path.realpath(a) for a in args.also]
    training_state.save(path, {"epochs_done": epochs_done, "options": options, "seconds": seconds,
                               **training_state.capture(net, opt, sched, rng)})


def resume_from(path, args, net, opt, sched, rng):
    """Loads a checkpoint written by save_checkpoint into the run; returns the epochs already done and
    the seconds they took."""
    state = torch.load(path, map_location="cpu")
    given = {k: getattr(args, k) for k in RESUME_MUST_MATCH}
    given["data"] = os.path.realpath(args.data)
    given["also"] = [os.path.realpath(a) for a in args.also]
    stored = dict(state["options"])
    stored["data"] = os.path.realpath(stored.get("data", ""))
    stored.setdefault("also", [])
    stored.setdefault("also_share", 0.0)  # checkpoints written before the option
    training_state.check_options(path, stored, given)
    training_state.restore(state, net, opt, sched, rng)
    return state["epochs_done"], state.get("seconds", 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="dataset folder: images/ and masks/ (br-road-damage layout)")
    ap.add_argument("--also", action="append", default=[],
                    help="another dataset folder trained on together with --data, split by name alike (repeatable): "
                         "e.g. `voirie dataset` output mixed with the original data")
    ap.add_argument("--also-share", type=float, default=0.0,
                    help="draw the --also folders' images this share of each epoch (0: as often as they occur); "
                         "not with --pothole-share")
    ap.add_argument("--minutes", type=float, default=0,
                    help="stop training after this many minutes (then export as usual): a bounded fine-tune")
    ap.add_argument("--out", required=True, help="folder for road-segnet.onnx, road-segnet.json, road-segnet.pt and MODEL_CARD.md")
    ap.add_argument("--epochs", type=int, default=14)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=4e-3)
    ap.add_argument("--input-width", type=int, default=384)
    ap.add_argument("--input-height", type=int, default=240)
    ap.add_argument("--width", type=int, default=24, help="channels of the first stage (the network's size)")
    ap.add_argument("--init", help="start from these weights (a road-segnet.pt) to fine-tune; its width is used")
    ap.add_argument("--widen-to", type=int, default=0,
                    help="with --init: first widen its network to this width, computing the same masks "
                         "(segnet_model.widen), then train: more capacity without training from scratch")
    ap.add_argument("--max-images", type=int, default=0, help="train on the first N training images only (a smoke test)")
    ap.add_argument("--validation-percent", type=int, default=road_dataset.VALIDATION_PERCENT,
                    help="share of images held out by name (see road_dataset.is_validation); 0 trains on all")
    ap.add_argument("--selection-percent", type=int, default=0,
                    help="share of the other images also held out (road_dataset.is_selection), to choose between "
                         "models on (evaluate_segnet.py --split selection); 0: none")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pothole-share", type=float, default=0.0,
                    help="draw images showing a pothole this often per epoch (0: as often as they occur); "
                         "potholes are in about a quarter of br-road-damage's images")
    ap.add_argument("--small-pothole-area", type=float, default=0.0,
                    help="weigh up the pixels of each pothole smaller than this many input pixels by the square "
                         "root of this area over its own (0: off); the small potholes are those the network misses")
    ap.add_argument("--resume", action="store_true",
                    help="go on from OUT/checkpoint.pt (written after every epoch: weights, optimizer, schedule, "
                         "random state), so that a long run survives being stopped; the other options must match")
    ap.add_argument("--stop-after", type=int, default=0,
                    help="stop after this many epochs, leaving the checkpoint and no model (as a stopped session "
                         "would); --resume goes on")
    args = ap.parse_args()
    if args.input_width % 8 or args.input_height % 8:
        raise SystemExit("--input-width and --input-height must be multiples of 8")
    if args.widen_to and not args.init:
        raise SystemExit("--widen-to needs --init: the network to widen")
    if args.also_share and (args.pothole_share or not args.also or not 0 < args.also_share < 1):
        raise SystemExit("--also-share needs --also, a share between 0 and 1, and no --pothole-share")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    started = time.time()
    w, h = args.input_width, args.input_height
    folders = [args.data] + args.also
    train_names, val_names, selection_names, from_also = [], [], [], []
    parts = {"training": [], "validation": [], "selection": []}
    for k, folder in enumerate(folders):
        tr, va, se = road_dataset.split(folder, args.validation_percent, args.selection_percent)
        if args.max_images:
            tr, va = tr[:args.max_images], va[:max(2, args.max_images // 4)]
        train_names += tr
        from_also += [k > 0] * len(tr)
        val_names += va
        selection_names += se
        # A class no image of the folder has a mask for is not labelled there.
        labelled = road_dataset.labelled_classes(folder)
        for split_name, names in (("training", tr), ("validation", va), ("selection", se)):
            if names:
                images, masks = road_dataset.load_all(folder, names, w, h)
                parts[split_name].append((images, masks, np.tile(labelled, (len(names), 1))))
    if not train_names:
        raise SystemExit(f"{args.data}: every image falls in the validation split; add images")

    def joined(split_name):
        got = parts[split_name]
        if not got:
            return (np.zeros((0, h, w, 3), np.uint8), np.zeros((0, len(CLASSES), h, w), np.uint8),
                    np.zeros((0, len(CLASSES)), np.float32))
        return tuple(np.concatenate([g[i] for g in got]) for i in range(3))

    print(f"{len(train_names)} training, {len(val_names)} validation and {len(selection_names)} selection images "
          f"at {w}x{h} from {len(folders)} folder(s)", flush=True)
    train_images, train_masks, train_labelled = joined("training")
    val_images, val_masks, _ = joined("validation")
    # Progress is shown on the selection split when there is one: it is the split choices are
    # made on; the validation split is scored once, at the end.
    watched, watched_images, watched_masks = ("validation", val_images, val_masks) if not selection_names else (
        "selection", *joined("selection")[:2])

    state = torch.load(args.init, map_location="cpu") if args.init else None
    width = state.get("width", args.width) if state else args.width
    net = RoadSegNet(width)
    if state:
        net.load_state_dict(state["weights"])
        print(f"fine-tuning from {args.init}", flush=True)
        if args.widen_to and args.widen_to != width:
            try:
                net = widen(net, args.widen_to, seed=args.seed)
            except ValueError as e:
                raise SystemExit(f"--widen-to: {e}")
            print(f"widened from {width} to {args.widen_to} channels", flush=True)
            width = args.widen_to
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = max(1, len(train_names) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, epochs=args.epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.15)
    draw = (folder_share_weights(np.array(from_also), args.also_share) if args.also_share
            else sampling_weights(train_masks, args.pothole_share))
    os.makedirs(args.out, exist_ok=True)
    checkpoint = os.path.join(args.out, "checkpoint.pt")
    first_epoch = 0
    if args.resume and os.path.exists(checkpoint):
        first_epoch, seconds_before = resume_from(checkpoint, args, net, opt, sched, rng)
        started -= seconds_before  # the model card's minutes count the whole run
        print(f"resuming after epoch {first_epoch}/{args.epochs} from {checkpoint}", flush=True)
    def out_of_time():
        return args.minutes > 0 and time.time() - started > 60 * args.minutes

    net.train()
    for epoch in range(first_epoch, args.epochs):
        order = (rng.choice(len(train_names), len(train_names), p=draw) if draw is not None
                 else rng.permutation(len(train_names)))
        total = 0.0
        for s in range(steps_per_epoch):
            idx = order[s * args.batch:(s + 1) * args.batch]
            pairs = [road_dataset.augment(train_images[i], train_masks[i], rng) for i in idx]
            x = torch.from_numpy(road_dataset.to_tensor_layout(np.stack([p[0] for p in pairs])))
            y = torch.from_numpy(np.stack([p[1] for p in pairs]).astype(np.float32))
            labelled = torch.from_numpy(train_labelled[idx].astype(np.float32))
            loss = loss_fn(net(x), y, small_pothole_weights(y.numpy(), args.small_pothole_area), labelled)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss)
            if out_of_time():
                steps_per_epoch = s + 1
                break
        iou = pixel_scores(net, watched_images, watched_masks)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / steps_per_epoch:.4f}, {watched} IoU " +
              ", ".join(f"{c} {v:.3f}" for c, v in iou.items()) + f" ({time.time() - started:.0f} s)", flush=True)
        save_checkpoint(checkpoint, args, epoch + 1, net, opt, sched, rng, time.time() - started)
        stop = training_state.stop_after_epoch(args, epoch, out_of_time, checkpoint)
        if stop == "minutes":
            break
        if stop == "stop_after":
            return

    onnx_path = os.path.join(args.out, "road-segnet.onnx")
    worst = export(net, w, h, onnx_path)
    torch.save({"weights": net.state_dict(), "width": width, "input_width": w, "input_height": h, "classes": CLASSES},
               os.path.join(args.out, "road-segnet.pt"))
    minutes = (time.time() - started) / 60
    info = {
        "classes": CLASSES, "input_width": w, "input_height": h, "opset": OPSET,
        "input": "RGB, values 0..1, NCHW, the whole frame resized (no letterbox)",
        "output": "per-class probabilities [1, 3, H, W]: pothole, crack, lane",
        "width": width, "parameters": sum(p.numel() for p in net.parameters()),
        "training": {"data": os.path.abspath(args.data), "also": [os.path.abspath(a) for a in args.also],
                     "minutes_limit": args.minutes, "train_images": len(train_names),
                     "validation_images": len(val_names), "validation_percent": args.validation_percent,
                     "selection_images": len(selection_names), "selection_percent": args.selection_percent,
                     "epochs": args.epochs, "batch": args.batch,
                     "lr": args.lr, "seed": args.seed, "pothole_share": args.pothole_share,
                     "small_pothole_area": args.small_pothole_area, "also_share": args.also_share,
                     "init": args.init, "widen_to": args.widen_to,
                     "threads": args.threads,
                     "minutes": round(minutes, 1), "finished": datetime.datetime.now().isoformat(timespec="seconds"),
                     "command": " ".join(sys.argv)},
        "validation_pixel_iou": pixel_scores(net, val_images, val_masks),
        "onnx_vs_pytorch_max_abs_diff": worst,
    }
    with open(os.path.join(args.out, "road-segnet.json"), "w") as f:  # the plugin reads it beside the model
        json.dump(info, f, indent=2)
    card = os.path.join(args.out, "MODEL_CARD.md")
    model_card.write(card, info, os.path.basename(os.path.normpath(args.data)) == "br-road-damage")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1024:.0f} KiB; OpenCV matches PyTorch within {worst:.1e}) "
          f"in {minutes:.1f} min", flush=True)


if __name__ == "__main__":
    main()
