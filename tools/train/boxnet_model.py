"""road-boxes: a compact one-stage box detector for the RDD2022 classes (D00, D10, D20, D40, Repair).

The backbone is road-segnet's encoder (so it starts from features learned on real pavement), with
one more stage at 1/16 for context; boxes are predicted FCOS-style (Tian et al. 2019) on the 1/8
grid: per cell a score per class, a centre-ness and the distances to the box's four sides. Exported
with its decoding (export_boxes) so that OpenCV 4.6 DNN returns YOLOv8-layout boxes [1, 4+C, N] that
the onnx-yolo plugin reads: only Conv, ReLU, Resize, Concat, Add, Mul, Exp, Sigmoid, Reshape."""
import torch
from torch import nn
import torch.nn.functional as F

from segnet_model import RoadSegNet, SeparableBlock, conv_bn

BOX_CLASSES = ["D00", "D10", "D20", "D40", "Repair"]  # output channel order
STRIDE = 8


class RoadBoxNet(nn.Module):
    def __init__(self, width=24, classes=len(BOX_CLASSES)):
        super().__init__()
        w = width
        seg = RoadSegNet(width)  # the encoder's layers, by the same names, so segnet weights load
        self.stem, self.enc1, self.down2, self.enc2, self.down3, self.enc3 = (
            seg.stem, seg.enc1, seg.down2, seg.enc2, seg.down3, seg.enc3)
        self.down4 = SeparableBlock(4 * w, 8 * w, stride=2)                    # 1/16
        self.enc4 = nn.Sequential(SeparableBlock(8 * w, 8 * w, dilation=2), SeparableBlock(8 * w, 8 * w, dilation=4))
        self.merge = nn.Sequential(conv_bn(12 * w, 4 * w, kernel=1), SeparableBlock(4 * w, 4 * w))
        self.cls_tower = nn.Sequential(SeparableBlock(4 * w, 4 * w), SeparableBlock(4 * w, 4 * w))
        self.box_tower = nn.Sequential(SeparableBlock(4 * w, 4 * w), SeparableBlock(4 * w, 4 * w))
        self.cls = nn.Conv2d(4 * w, classes, 3, padding=1)
        self.box = nn.Conv2d(4 * w, 4, 3, padding=1)
        self.ctr = nn.Conv2d(4 * w, 1, 3, padding=1)
        nn.init.constant_(self.cls.bias, -4.6)  # a prior of 1% foreground: focal loss starts stable
        nn.init.constant_(self.box.bias, 1.0)

    def load_segnet_encoder(self, segnet_state):
        """Copies the encoder of a trained road-segnet (its .pt 'weights'); the rest stays fresh."""
        own = self.state_dict()
        taken = {k: v for k, v in segnet_state.items() if k in own and own[k].shape == v.shape}
        own.update(taken)
        self.load_state_dict(own)
        return len(taken)

    def forward(self, x):
        """(class logits [B,C,H,W], side distances in strides [B,4,H,W] (log), centre-ness logit [B,1,H,W])."""
        s3 = self.enc3(self.down3(self.enc2(self.down2(self.enc1(self.stem(x))))))
        s4 = self.enc4(self.down4(s3))
        y = F.interpolate(s4, size=s3.shape[2:], mode="bilinear", align_corners=False)
        y = self.merge(torch.cat([y, s3], 1))
        c = self.cls_tower(y)
        b = self.box_tower(y)
        return self.cls(c), self.box(b), self.ctr(b)


def grid_centres(height, width):
    """Input-pixel centres (x, y) of the 1/8 grid cells, each [H*W], row-major."""
    ys, xs = torch.meshgrid(torch.arange(height // STRIDE), torch.arange(width // STRIDE), indexing="ij")
    return ((xs.reshape(-1).float() + 0.5) * STRIDE, (ys.reshape(-1).float() + 0.5) * STRIDE)


def decode(cls_logits, box_log, ctr_logit):
    """(boxes [B,N,4] as x1 y1 x2 y2 input pixels, scores [B,N,C]); a score is the class probability
    times the centre-ness, as FCOS ranks boxes."""
    b, _, h, w = cls_logits.shape
    cx, cy = grid_centres(h * STRIDE, w * STRIDE)
    d = torch.exp(box_log.clamp(max=6)).reshape(b, 4, -1) * STRIDE  # left, top, right, bottom
    boxes = torch.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], 2)
    scores = torch.sigmoid(cls_logits).reshape(b, cls_logits.shape[1], -1) * torch.sigmoid(ctr_logit).reshape(b, 1, -1)
    return boxes, scores.transpose(1, 2)


class YoloV8Layout(nn.Module):
    """The network with its decoding: [1, 4+C, N] rows cx, cy, w, h (input pixels) and C scores."""

    def __init__(self, net, height, width):
        super().__init__()
        self.net = net
        cx, cy = grid_centres(height, width)
        self.register_buffer("cx", cx.view(1, 1, -1))
        self.register_buffer("cy", cy.view(1, 1, -1))

    def forward(self, x):
        cls_logits, box_log, ctr_logit = self.net(x)
        n = self.cx.shape[2]
        d = torch.exp(box_log).reshape(1, 4, n) * STRIDE
        left, top, right, bottom = d[:, 0:1], d[:, 1:2], d[:, 2:3], d[:, 3:4]
        centre_x = self.cx + (right - left) * 0.5
        centre_y = self.cy + (bottom - top) * 0.5
        scores = torch.sigmoid(cls_logits).reshape(1, -1, n) * torch.sigmoid(ctr_logit).reshape(1, 1, n)
        return torch.cat([centre_x, centre_y, left + right, top + bottom, scores], 1)
