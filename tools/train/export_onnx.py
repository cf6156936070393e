"""Exports a trained RoadSegNet to ONNX that Debian's OpenCV 4.6 DNN runs, and refuses to write
it unless OpenCV's output matches PyTorch's on the same input."""
import os
import tempfile

import cv2
import numpy as np
import torch

OPSET = 11  # Resize with bilinear/half-pixel is read by OpenCV 4.6 from opset 11 on


class WithProbabilities(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.sigmoid(self.net(x))


def export(net, width, height, path, tolerance=1e-3):
    net = net.eval()
    model = WithProbabilities(net)
    probe = torch.rand(1, 3, height, width, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        expected = model(probe).numpy()
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=folder)
    os.close(fd)
    try:
        torch.onnx.export(model, probe, tmp, opset_version=OPSET, input_names=["image"],
                          output_names=["probabilities"], do_constant_folding=True)
        cv_net = cv2.dnn.readNetFromONNX(tmp)
        cv_net.setInput(probe.numpy())
        got = cv_net.forward()
        if got.shape != expected.shape:
            raise SystemExit(f"ONNX check failed: OpenCV gives shape {got.shape}, PyTorch {expected.shape}")
        worst = float(np.abs(got - expected).max())
        if worst > tolerance:
            raise SystemExit(f"ONNX check failed: OpenCV and PyTorch outputs differ by up to {worst:.2e}")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a model is shared like any file
        os.replace(tmp, path)
        return worst
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
