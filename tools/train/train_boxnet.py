#!/usr/bin/python3
"""Trains road-boxes (boxes of D00, D10, D20, D40 and Repair, the RDD2022 classes) on Pascal VOC
folders (RDD2022 layout) and, optionally, mask folders whose potholes become D40 boxes, and writes
what the road-boxes plugin runs: road-boxes.onnx (YOLOv8 layout, read by the onnx-yolo code),
road-boxes.json (the model manifest: input, classes, the confidence threshold chosen on the
selection split), road-boxes.pt (weights for fine-tuning) and MODEL_CARD.md. CPU only.

  tools/train/train_boxnet.py --data ../shared/datasets/rdd2022-china-motorbike \\
      --also ../shared/datasets/br-road-damage --init-segnet plugins/road-segnet/model/road-segnet.pt \\
      --selection-percent 15 --out plugins/road-boxes/model

Resumable (--resume goes on from OUT/checkpoint.pt, written after every epoch); the checkpoint that
scores best on the selection split (CRDDC F1) is kept as OUT/best.pt and is the one exported.
"""
import argparse
import datetime
import json
import os
import sys
import tempfile
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import box_dataset  # noqa: E402
import box_metrics  # noqa: E402
import road_dataset  # noqa: E402
import training_state  # noqa: E402
from boxnet_model import BOX_CLASSES, STRIDE, RoadBoxNet, YoloV8Layout, decode, grid_centres  # noqa: E402

OPSET = 11
THRESHOLDS = [round(0.05 * k, 2) for k in range(1, 13)]


def assign(boxes_list, size):
    """FCOS targets on the 1/8 grid for a batch: (class one-hot [B,C,N], true box [B,N,4],
    centre-ness [B,N], positive [B,N]). A cell is positive for a box when it lies inside it and near
    its centre (1.5 cells, or a quarter of the box's side for long boxes); the cell holding a small
    box's centre always is; where boxes overlap, the smallest wins."""
    cx, cy = grid_centres(size, size)
    n, c = len(cx), len(BOX_CLASSES)
    cls_t = torch.zeros(len(boxes_list), c, n)
    box_t = torch.zeros(len(boxes_list), n, 4)
    ctr_t = torch.zeros(len(boxes_list), n)
    pos = torch.zeros(len(boxes_list), n, dtype=torch.bool)
    for i, b in enumerate(boxes_list):
        if not len(b):
            continue
        b = torch.from_numpy(b)
        x1, y1, x2, y2 = b[:, 1], b[:, 2], b[:, 3], b[:, 4]
        left, top = cx[:, None] - x1, cy[:, None] - y1
        right, bottom = x2 - cx[:, None], y2 - cy[:, None]
        inside = torch.stack([left, top, right, bottom]).amin(0) > 0
        bw, bh = x2 - x1, y2 - y1
        rx = torch.clamp(0.25 * bw, min=1.5 * STRIDE)
        ry = torch.clamp(0.25 * bh, min=1.5 * STRIDE)
        near = ((cx[:, None] - (x1 + x2) / 2).abs() < rx) & ((cy[:, None] - (y1 + y2) / 2).abs() < ry)
        candidate = inside & near
        cols = size // STRIDE
        centre_cell = (((y1 + y2) / 2 / STRIDE).long().clamp(0, cols - 1) * cols +
                       ((x1 + x2) / 2 / STRIDE).long().clamp(0, cols - 1))
        candidate[centre_cell, torch.arange(len(b))] = True
        area = torch.where(candidate, (bw * bh)[None, :].expand_as(candidate), torch.full_like(candidate, 1e12, dtype=torch.float32))
        best_area, best = area.min(1)
        p = best_area < 1e12
        pos[i] = p
        chosen = b[best]
        cls_t[i, chosen[p, 0].long(), torch.nonzero(p).view(-1)] = 1
        box_t[i] = chosen[:, 1:]
        l_, t_ = (cx - chosen[:, 1]).clamp(min=0.5), (cy - chosen[:, 2]).clamp(min=0.5)
        r_, b_ = (chosen[:, 3] - cx).clamp(min=0.5), (chosen[:, 4] - cy).clamp(min=0.5)
        ctr_t[i] = torch.sqrt(torch.minimum(l_, r_) / torch.maximum(l_, r_) * torch.minimum(t_, b_) / torch.maximum(t_, b_))
    return cls_t, box_t, ctr_t, pos


def giou_loss(pred, target):
    ix1, iy1 = torch.maximum(pred[:, 0], target[:, 0]), torch.maximum(pred[:, 1], target[:, 1])
    ix2, iy2 = torch.minimum(pred[:, 2], target[:, 2]), torch.minimum(pred[:, 3], target[:, 3])
    inter = (ix2 - ix1).clamp(min=0) * (iy2 - iy1).clamp(min=0)
    area_p = (pred[:, 2] - pred[:, 0]) * (pred[:, 3] - pred[:, 1])
    area_t = (target[:, 2] - target[:, 0]) * (target[:, 3] - target[:, 1])
    union = area_p + area_t - inter
    ex1, ey1 = torch.minimum(pred[:, 0], target[:, 0]), torch.minimum(pred[:, 1], target[:, 1])
    ex2, ey2 = torch.maximum(pred[:, 2], target[:, 2]), torch.maximum(pred[:, 3], target[:, 3])
    enclosing = (ex2 - ex1) * (ey2 - ey1)
    iou = inter / union.clamp(min=1e-6)
    return 1 - (iou - (enclosing - union) / enclosing.clamp(min=1e-6))


def loss_fn(outputs, boxes_list, labelled, size):
    """Focal loss on the class scores (only the classes the image's folder labels), GIoU on the
    positive cells' boxes weighted by their centre-ness, and centre-ness itself."""
    cls_logits, box_log, ctr_logit = outputs
    b, c = cls_logits.shape[:2]
    cls_t, box_t, ctr_t, pos = assign(boxes_list, size)
    logits = cls_logits.reshape(b, c, -1)
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, cls_t, reduction="none")
    pt = p * cls_t + (1 - p) * (1 - cls_t)
    alpha = 0.25 * cls_t + 0.75 * (1 - cls_t)
    focal = alpha * (1 - pt) ** 2 * ce * labelled.view(b, c, 1)
    num_pos = max(1.0, float(pos.sum()))
    loss_cls = focal.sum() / num_pos
    pred_boxes, _ = decode(cls_logits, box_log, ctr_logit)
    if pos.any():
        w = ctr_t[pos]
        loss_box = (giou_loss(pred_boxes[pos], box_t[pos]) * w).sum() / w.sum().clamp(min=1e-6)
        loss_ctr = F.binary_cross_entropy_with_logits(ctr_logit.reshape(b, -1)[pos], ctr_t[pos])
    else:
        loss_box = loss_ctr = torch.zeros(())
    return loss_cls + 2.0 * loss_box + loss_ctr, (float(loss_cls), float(loss_box), float(loss_ctr))


def predict(net, images, batch=16):
    """(boxes [N,4], scores [N,C]) per image, at the input size."""
    net.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = torch.from_numpy(road_dataset.to_tensor_layout(images[i:i + batch]))
            boxes, scores = decode(*net(x))
            out += list(zip(boxes.numpy(), scores.numpy()))
    net.train()
    return out


def scores_by_threshold(predictions, truth_boxes):
    """{threshold: box_metrics.score(...)} for the candidate thresholds."""
    low = [box_metrics.nms(b, s, BOX_CLASSES, THRESHOLDS[0]) for b, s in predictions]
    truth = [[(BOX_CLASSES[int(t[0])], *map(float, t[1:])) for t in tb] for tb in truth_boxes]
    return {th: box_metrics.score([box_metrics.count_matches([d for d in dets if d[1] >= th], tr)
                                   for dets, tr in zip(low, truth)]) for th in THRESHOLDS}


def best_threshold(by_threshold):
    th = max(by_threshold, key=lambda t: by_threshold[t]["f1"])
    return th, by_threshold[th]


RESUME_MUST_MATCH = ("data", "also", "epochs", "batch", "lr", "input_size", "width", "init_segnet", "init",
                     "validation_percent", "selection_percent", "max_images")


def options_of(args):
    o = {k: getattr(args, k) for k in RESUME_MUST_MATCH}
    o["data"] = os.path.realpath(args.data)
    o["also"] = [os.path.realpath(a) for a in args.also]
    return o


def save_checkpoint(path, args, epochs_done, net, opt, sched, rng, seconds, best, data):
    training_state.save(path, {"epochs_done": epochs_done, "options": options_of(args), "data": data,
                               "seconds": seconds, "best": best, **training_state.capture(net, opt, sched, rng)})


def export(net, size, path, tolerance=1e-3):
    """Writes the ONNX model with its decoding, only if OpenCV's output matches PyTorch's."""
    model = YoloV8Layout(net.eval(), size, size).eval()
    probe = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        expected = model(probe).numpy()
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=os.path.dirname(os.path.abspath(path)))
    os.close(fd)
    try:
        torch.onnx.export(model, probe, tmp, opset_version=OPSET, input_names=["image"], output_names=["boxes"],
                          do_constant_folding=True)
        cv_net = cv2.dnn.readNetFromONNX(tmp)
        cv_net.setInput(probe.numpy())
        got = cv_net.forward()
        if got.shape != expected.shape:
            raise SystemExit(f"ONNX check failed: OpenCV gives shape {got.shape}, PyTorch {expected.shape}")
        # Box coordinates are pixels: compare relative to their scale.
        worst = float((np.abs(got - expected) / np.maximum(1.0, np.abs(expected))).max())
        if worst > tolerance:
            raise SystemExit(f"ONNX check failed: OpenCV and PyTorch outputs differ by up to {worst:.2e}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        return worst
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="a Pascal VOC folder: images/ and annotations/<name>.xml (RDD2022)")
    ap.add_argument("--also", action="append", default=[],
                    help="another folder trained on together (repeatable): VOC, or masks whose potholes become D40 boxes")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--input-size", type=int, default=384, help="the square input (a multiple of 16)")
    ap.add_argument("--width", type=int, default=24, help="channels of the first stage")
    ap.add_argument("--init-segnet", help="a road-segnet.pt whose encoder starts the backbone (its width is used)")
    ap.add_argument("--init", help="a road-boxes.pt to fine-tune")
    ap.add_argument("--minutes", type=float, default=0, help="stop training after this many minutes, then export")
    ap.add_argument("--max-images", type=int, default=0, help="the first N training images of each folder (smoke test)")
    ap.add_argument("--validation-percent", type=int, default=road_dataset.VALIDATION_PERCENT)
    ap.add_argument("--selection-percent", type=int, default=15)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resume", action="store_true", help="go on from OUT/checkpoint.pt; the other options must match")
    ap.add_argument("--stop-after", type=int, default=0, help="stop after this many epochs, leaving the checkpoint")
    ap.add_argument("--export-only", action="store_true",
                    help="export OUT/best.pt now (while its training goes on, or after) and exit; the data counts "
                         "are those OUT/checkpoint.pt recorded")
    args = ap.parse_args()
    if args.export_only:
        state = torch.load(os.path.join(args.out, "checkpoint.pt"), map_location="cpu")
        write_model(args, state.get("data", {}), state["seconds"])
        return
    if args.input_size % 16:
        raise SystemExit("--input-size must be a multiple of 16")
    if not box_dataset.is_voc(args.data):
        raise SystemExit(f"{args.data}: no annotations/ folder (Pascal VOC, as RDD2022)")
    if not args.selection_percent:
        raise SystemExit("--selection-percent must hold some images out: the threshold and the checkpoint are chosen on them")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    started = time.time()
    size = args.input_size
    folders = [args.data] + args.also
    train_images, train_boxes, train_labelled = [], [], []
    selection = {}
    validation_names = {}
    for folder in folders:
        tr, va, se = road_dataset.split(folder, args.validation_percent, args.selection_percent)
        if args.max_images:
            tr, se = tr[:args.max_images], se[:max(2, args.max_images // 4)]
        # A mask folder's images without a pothole would teach only "no pothole here", at the cost of
        # most of an epoch (three in four of br-road-damage's): its pothole images are trained on.
        images, boxes = box_dataset.load_split(folder, tr, size, positive_only=not box_dataset.is_voc(folder))
        train_images.append(images)
        train_boxes += boxes
        train_labelled += [box_dataset.labelled_classes(folder)] * len(tr)
        if box_dataset.is_voc(folder):
            selection[folder] = box_dataset.load_split(folder, se, size)
        validation_names[folder] = len(va)
    train_images = np.concatenate(train_images)
    train_labelled = np.stack(train_labelled)
    sel_images = np.concatenate([s[0] for s in selection.values()])
    sel_boxes = [b for s in selection.values() for b in s[1]]
    print(f"{len(train_images)} training and {len(sel_images)} selection images at {size}x{size} from "
          f"{len(folders)} folder(s); validation held out: {sum(validation_names.values())}", flush=True)

    data_counts = {"train_images": len(train_images), "selection_images": len(sel_images),
                   "validation_held_out": validation_names}
    width = args.width
    init_note = "fresh"
    if args.init:
        state = torch.load(args.init, map_location="cpu")
        width = state.get("width", width)
        net = RoadBoxNet(width)
        net.load_state_dict(state["weights"])
        init_note = args.init
    else:
        if args.init_segnet:
            seg = torch.load(args.init_segnet, map_location="cpu")
            width = seg.get("width", width)
        net = RoadBoxNet(width)
        if args.init_segnet:
            taken = net.load_segnet_encoder(seg["weights"])
            init_note = f"encoder of {args.init_segnet} ({taken} tensors)"
    print(f"width {width}, {sum(p.numel() for p in net.parameters())} parameters, init: {init_note}", flush=True)

    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = max(1, len(train_images) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, epochs=args.epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.1)
    os.makedirs(args.out, exist_ok=True)
    checkpoint = os.path.join(args.out, "checkpoint.pt")
    best_path = os.path.join(args.out, "best.pt")
    first_epoch, best = 0, {"f1": -1.0}
    if args.resume and os.path.exists(checkpoint):
        state = torch.load(checkpoint, map_location="cpu")
        training_state.check_options(checkpoint, state["options"], options_of(args))
        training_state.restore(state, net, opt, sched, rng)
        first_epoch, best = state["epochs_done"], state["best"]
        started -= state["seconds"]
        print(f"resuming after epoch {first_epoch}/{args.epochs} from {checkpoint}", flush=True)

    def out_of_time():
        return args.minutes > 0 and time.time() - started > 60 * args.minutes

    net.train()
    for epoch in range(first_epoch, args.epochs):
        order = rng.permutation(len(train_images))
        parts = np.zeros(3)
        for s in range(steps_per_epoch):
            idx = order[s * args.batch:(s + 1) * args.batch]
            pairs = [box_dataset.augment(train_images[i], train_boxes[i], rng) for i in idx]
            x = torch.from_numpy(road_dataset.to_tensor_layout(np.stack([p[0] for p in pairs])))
            labelled = torch.from_numpy(train_labelled[idx])
            loss, part = loss_fn(net(x), [p[1] for p in pairs], labelled, size)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 10.0)
            opt.step()
            sched.step()
            parts += part
            if out_of_time():
                steps_per_epoch = s + 1
                break
        th, sel = best_threshold(scores_by_threshold(predict(net, sel_images), sel_boxes))
        improved = sel["f1"] > best["f1"]
        if improved:
            best = {"f1": sel["f1"], "threshold": th, "epoch": epoch + 1, "selection": sel}
            torch.save({"weights": net.state_dict(), "width": width, "input_size": size, "classes": BOX_CLASSES,
                        "best": best}, best_path)
        parts /= steps_per_epoch
        print(f"epoch {epoch + 1}/{args.epochs}: loss cls {parts[0]:.3f} box {parts[1]:.3f} ctr {parts[2]:.3f}; "
              f"selection CRDDC F1 {sel['f1']:.3f} at {th} (P {sel['precision']:.2f} R {sel['recall']:.2f})"
              f"{' best' if improved else ''} ({time.time() - started:.0f} s)", flush=True)
        save_checkpoint(checkpoint, args, epoch + 1, net, opt, sched, rng, time.time() - started, best, data_counts)
        stop = training_state.stop_after_epoch(args, epoch, out_of_time, checkpoint)
        if stop == "minutes":
            break
        if stop == "stop_after":
            return

    write_model(args, data_counts, time.time() - started)


def write_model(args, data, seconds):
    """Exports OUT/best.pt (the checkpoint chosen on the selection split) as the plugin's model,
    manifest and fine-tuning weights."""
    chosen = torch.load(os.path.join(args.out, "best.pt"), map_location="cpu")
    size = chosen["input_size"]
    net = RoadBoxNet(chosen["width"])
    net.load_state_dict(chosen["weights"])
    onnx_path = os.path.join(args.out, "road-boxes.onnx")
    worst = export(net, size, onnx_path)
    torch.save({"weights": net.state_dict(), "width": chosen["width"], "input_size": size, "classes": BOX_CLASSES},
               os.path.join(args.out, "road-boxes.pt"))
    minutes = seconds / 60
    manifest = {
        "model": "road-boxes.onnx", "input_width": size, "input_height": size, "layout": "yolov8",
        "class_names": BOX_CLASSES, "class_map": {"Repair": "repair"},
        "confidence_threshold": chosen["best"]["threshold"], "nms_iou": 0.45,
        "input_scale": 1.0 / 255.0, "swap_rb": True, "letterbox_value": box_dataset.PAD,
        "width": chosen["width"], "parameters": sum(p.numel() for p in net.parameters()), "opset": OPSET,
        "training": {"data": os.path.abspath(args.data), "also": [os.path.abspath(a) for a in args.also], **data,
                     "validation_percent": args.validation_percent, "selection_percent": args.selection_percent,
                     "epochs": args.epochs, "chosen_epoch": chosen["best"]["epoch"], "batch": args.batch, "lr": args.lr,
                     "seed": args.seed, "init": args.init, "init_segnet": args.init_segnet, "threads": args.threads,
                     "minutes": round(minutes, 1), "finished": datetime.datetime.now().isoformat(timespec="seconds"),
                     "command": " ".join(sys.argv)},
        "selection": chosen["best"]["selection"],
        "onnx_vs_pytorch_max_rel_diff": worst,
    }
    with open(os.path.join(args.out, "road-boxes.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1024:.0f} KiB, epoch {chosen['best']['epoch']}, "
          f"selection CRDDC F1 {chosen['best']['f1']:.3f} at {chosen['best']['threshold']}) in {minutes:.1f} min",
          flush=True)

if __name__ == "__main__":
    main()
