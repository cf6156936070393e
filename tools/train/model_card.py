"""The model card written beside a trained road-segnet model (MODEL_CARD.md): what the model is,
the data and its licence with credit to its authors, the split, how it was trained, and the
validation figures. evaluate_segnet.py --card fills in the figures measured through the plugin."""
import os

import road_dataset

PLUGIN_BEGIN = "<!-- plugin-metrics -->"
PLUGIN_END = "<!-- /plugin-metrics -->"

DATA_CREDIT = """The shipped model is trained on **br-road-damage**, a downscaled copy (640x400, 1,942 of 2,235
samples) of the *Cracks and Potholes in Road Images Dataset* by Bianka Tallita Passos, Mateus Junior
Cassaniga, Anita Maria da Rocha Fernandes, Kátya Balvedi Medeiros and Eros Comunello (UNIVALI,
Brazil), published as `biankatpas/Cracks-and-Potholes-in-Road-Images-Dataset` under the MIT licence.
Images of asphalt highways in Brazil (Espírito Santo, Rio Grande do Sul, Federal District,
2014-2017) from the national transport department's survey vehicle, forward-facing and tilted
down (about 15 m of pavement visible), with pixel masks for potholes, cracks and the vehicle's lane.
Thank you to the authors for publishing it openly."""


def write(path, info, data_is_br_road_damage):
    t = info["training"]
    iou = info["validation_pixel_iou"]
    size_kib = os.path.getsize(os.path.join(os.path.dirname(path), "road-segnet.onnx")) / 1024
    data = DATA_CREDIT if data_is_br_road_damage else (
        f"Trained on the images and masks in `{t['data']}` (a dataset in the br-road-damage layout); "
        "credit its authors and state its licence here.")
    if t.get("also"):
        data += ("\n\nFine-tuned as well on " + ", ".join(f"`{a}`" for a in t["also"]) +
                 " (a department's own roads: `voirie dataset` output from reviewed surveys, frames anonymized; "
                 "lanes not labelled there, so they taught the lane class nothing)" +
                 (f", for at most {t['minutes_limit']:g} minutes" if t.get("minutes_limit") else "") +
                 (f", starting from `{t['init']}`" if t.get("init") else "") + ".")
    selection = (f" {t['selection_images']} more images (`road_dataset.is_selection`, {t['selection_percent']}% of the "
                 "rest) were held out of training too, to choose between models on (`evaluate_segnet.py --split "
                 "selection`)." if t.get("selection_images") else "")
    text = f"""# road-segnet model card

A compact encoder-decoder ({info['parameters']:,} parameters, ONNX opset {info['opset']}, {size_kib:.0f} KiB)
that gives, for a forward-facing road image resized to {info['input_width']}x{info['input_height']} (RGB, values
0..1, no letterbox), the probability of **pothole**, **crack** and **the vehicle's lane** at every
pixel. The `road-segnet` plugin turns the masks into Voirie detections: potholes as D40 polygons,
crack skeletons as D00 (longitudinal) or D10 (transverse) polylines judged on the ground plane,
dense crack networks as D20 polygons, all restricted to the lane the model sees.

## Data and licence
{data}

## Split
Validation = every image whose name's SHA-1 (first 8 hex digits as a number) modulo 100 is below
{t.get('validation_percent', road_dataset.VALIDATION_PERCENT)} (`road_dataset.is_validation`): fixed by the name alone, so it does not move when
images are added. {t['train_images']} training images, {t['validation_images']} validation images; the model never
saw the validation images, and nothing was chosen by looking at them: the plugin's thresholds
were tuned on training images (`evaluate_segnet.py --split training`).{selection}

## Training
`{t['command']}`

{t['epochs']} epochs, batch {t['batch']}, AdamW with a one-cycle learning rate peaking at {t['lr']}, seed
{t['seed']}, {t['threads']} CPU threads: {t['minutes']} minutes (finished {t['finished']}). Loss: binary
cross-entropy with the crack and pothole pixels weighted up, plus a Dice term. Augmentation for
dash-cams: horizontal flip, perspective jitter (mounting), brightness/contrast and colour cast,
Gaussian blur, JPEG re-compression.{' Fine-tuned from ' + t['init'] + '.' if t['init'] else ''}
The ONNX export was checked against PyTorch through OpenCV DNN before it was written (largest
difference {info['onnx_vs_pytorch_max_abs_diff']:.1e}).

## Validation, pixels (at the input size, probability > 0.5)
IoU: pothole {iou['pothole']:.3f}, crack {iou['crack']:.3f}, lane {iou['lane']:.3f}.

## Validation, through the plugin
{PLUGIN_BEGIN}
Not measured yet: run `tools/train/evaluate_segnet.py --data DATASET --card {path}`.
{PLUGIN_END}

## Limits
- One country's highways, daylight, one survey camera: expect lower figures on other roads,
  cameras, night or rain until retrained on them (README, "Train on your own roads").
- The crack labels are drawn generously: the crack width the plugin reports is an upper estimate.
- Longitudinal/transverse is judged through the camera model; for stills without one, the plugin
  assumes a windscreen dash-cam and falls back to the image direction above its horizon.
"""
    with open(path, "w") as f:
        f.write(text)


def fill_plugin_metrics(path, figures, speed_note=""):
    with open(path) as f:
        text = f.read()
    if PLUGIN_BEGIN not in text or PLUGIN_END not in text:
        raise SystemExit(f"{path} has no {PLUGIN_BEGIN} section to fill")
    c, p, loc = figures["crack_image_level"], figures["pothole_image_level"], figures["pothole_localization"]
    params = ", ".join(figures["params"]) or "the plugin's defaults"
    table = f"""Measured with `tools/train/evaluate_segnet.py` (`voirie detect` on the {figures['images']} validation images, {params}).
Image level: positive when the mask has at least 50 pixels of the class at 640x400, predicted when
the plugin returns a detection of it. Pothole localization: recall = mask components of 200+
pixels at least half inside the union of D40 boxes; precision = D40 boxes with at least 10% of
their area on pothole pixels (or covering half a component).

| measure | precision | recall | F1 | target |
|---|---|---|---|---|
| crack, image level ({c['positives']} positive images) | {c['precision']:.3f} | {c['recall']:.3f} | **{c['f1']:.3f}** | >= 0.90 |
| pothole, image level ({p['positives']} positive images) | {p['precision']:.3f} | {p['recall']:.3f} | **{p['f1']:.3f}** | >= 0.85 |
| pothole localization ({loc['components']} potholes, {loc['boxes']} boxes) | {loc['precision']:.3f} | {loc['recall']:.3f} | **{loc['f1']:.3f}** | >= 0.75 |
{speed_note}"""
    start, end = text.index(PLUGIN_BEGIN) + len(PLUGIN_BEGIN), text.index(PLUGIN_END)
    with open(path, "w") as f:
        f.write(text[:start] + "\n" + table.rstrip() + "\n" + text[end:])
