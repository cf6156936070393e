"""Box predictions to detections (per-class NMS) and the CRDDC 2022 score: a detection is right when
its class is and its box overlaps a true box of that class with IoU >= 0.5 (each true box matched
once, best scores first); F1 over D00, D10, D20 and D40 pooled over all images. Repair is scored
apart, as `voirie eval-boxes` does. Used while training to choose a threshold and a checkpoint on the
selection split; the shipped figures come from `voirie eval-boxes` on the plugin's own output."""
import cv2
import numpy as np

from boxnet_model import BOX_CLASSES

SCORED = ["D00", "D10", "D20", "D40"]


def nms(boxes, scores, classes, threshold, iou=0.45, top_k=300):
    """boxes [N,4] x1y1x2y2, scores [N,C] -> [(class, score, x1, y1, x2, y2)] above threshold."""
    out = []
    for c in range(scores.shape[1]):
        keep = np.nonzero(scores[:, c] >= threshold)[0]
        if not len(keep):
            continue
        keep = keep[np.argsort(-scores[keep, c])][:top_k]
        b = boxes[keep]
        rects = [[float(x1), float(y1), float(x2 - x1), float(y2 - y1)] for x1, y1, x2, y2 in b]
        chosen = cv2.dnn.NMSBoxes(rects, scores[keep, c].astype(float).tolist(), float(threshold), iou)
        for k in np.array(chosen).reshape(-1):
            out.append((classes[c], float(scores[keep[k], c]), *map(float, b[k])))
    return out


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def count_matches(detections, truth, min_iou=0.5):
    """Per class name: [true positives, false positives, false negatives] for one image.
    detections: [(class, score, x1, y1, x2, y2)]; truth: [(class, x1, y1, x2, y2)]."""
    counts = {c: [0, 0, 0] for c in BOX_CLASSES}
    for c in BOX_CLASSES:
        dets = sorted((d for d in detections if d[0] == c), key=lambda d: -d[1])
        gts = [t[1:] for t in truth if t[0] == c]
        used = [False] * len(gts)
        for d in dets:
            best, best_iou = -1, min_iou
            for k, g in enumerate(gts):
                if not used[k]:
                    o = iou(d[2:], g)
                    if o >= best_iou:
                        best, best_iou = k, o
            if best >= 0:
                used[best] = True
                counts[c][0] += 1
            else:
                counts[c][1] += 1
        counts[c][2] += used.count(False)
    return counts


def f1(tp, fp, fn):
    return 2 * tp / max(1, 2 * tp + fp + fn)


def score(per_image_counts):
    """{"f1": CRDDC F1 over SCORED, "per_class": {class: {precision, recall, f1, truth}}}."""
    total = {c: [0, 0, 0] for c in BOX_CLASSES}
    for counts in per_image_counts:
        for c, (tp, fp, fn) in counts.items():
            total[c][0] += tp
            total[c][1] += fp
            total[c][2] += fn
    pooled = [sum(total[c][i] for c in SCORED) for i in range(3)]
    return {"f1": f1(*pooled),
            "precision": pooled[0] / max(1, pooled[0] + pooled[1]),
            "recall": pooled[0] / max(1, pooled[0] + pooled[2]),
            "per_class": {c: {"precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn),
                              "f1": f1(tp, fp, fn), "truth": tp + fn} for c, (tp, fp, fn) in total.items()}}
