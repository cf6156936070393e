#!/usr/bin/env python3
"""Writes the tiny ONNX models the onnx-yolo plugin tests use; their outputs are known exactly.

Each model ignores its picture (global average pool, then a 1x1 convolution with zero weights)
and outputs its bias: a fixed table of candidate boxes in the layout of a YOLOv5 export
[1, N, 5 + C] or a YOLOv8 export [1, 4 + C, N], so decoding, letterboxing, confidence
thresholds, class-wise NMS and class mapping can be checked to the pixel.

Regenerate (Debian: apt-get install python3-onnx) with:
    /usr/bin/python3 tests/data/onnx/make_test_models.py tests/data/onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZE = 320  # model input: 320x320
# Candidates in model-input pixels: cx, cy, w, h, then per class scores (D00, D10, D20, D40).
# Boxes 0 and 1 overlap strongly with the same class (NMS keeps box 0); box 2 overlaps box 0 but
# is another class (kept); box 3 is below the confidence threshold.
CANDIDATES = np.array([
    [160, 200, 80, 40, 0.05, 0.05, 0.05, 0.90],
    [162, 201, 80, 40, 0.05, 0.05, 0.05, 0.80],
    [165, 200, 80, 40, 0.70, 0.05, 0.05, 0.05],
    [60, 250, 30, 20, 0.05, 0.10, 0.05, 0.05],
], dtype=np.float32)
OBJECTNESS = np.array([1.0, 1.0, 1.0, 1.0], dtype=np.float32)


def model(values: np.ndarray, out_shape, opset: int) -> onnx.ModelProto:
    flat = values.reshape(-1).astype(np.float32)
    n = flat.size
    weight = numpy_helper.from_array(np.zeros((n, 3, 1, 1), np.float32), "w")
    bias = numpy_helper.from_array(flat, "b")
    shape = numpy_helper.from_array(np.array(out_shape, np.int64), "shape")
    nodes = [
        helper.make_node("GlobalAveragePool", ["images"], ["pooled"]),
        helper.make_node("Conv", ["pooled", "w", "b"], ["conv"], kernel_shape=[1, 1]),
        helper.make_node("Reshape", ["conv", "shape"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes, "voirie_test_yolo",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, out_shape)],
        initializer=[weight, bias, shape])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="voirie-tests")
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def main(folder: str) -> None:
    v5 = np.concatenate([CANDIDATES[:, :4], OBJECTNESS[:, None], CANDIDATES[:, 4:]], axis=1)  # [N, 5+C]
    onnx.save(model(v5[None], [1, 4, 9], 12), f"{folder}/yolov5_like.onnx")
    v8 = CANDIDATES.T  # [4+C, N]
    onnx.save(model(v8[None], [1, 8, 4], 12), f"{folder}/yolov8_like.onnx")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
