"""The road-segnet network: a compact encoder-decoder for pothole, crack and lane masks.

Small on purpose (about 0.2 M parameters): it has to run on one laptop core in a few tens of
milliseconds, and it uses only operators Debian's OpenCV 4.6 DNN runs (Conv, BatchNorm folded
into Conv, ReLU, Resize, Concat, Add)."""
import torch
from torch import nn
import torch.nn.functional as F

CLASSES = ["pothole", "crack", "lane"]  # output channel order, logits


def conv_bn(cin, cout, stride=1, groups=1, dilation=1, kernel=3):
    pad = dilation * (kernel // 2)
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, pad, dilation=dilation, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class SeparableBlock(nn.Module):
    """Depthwise 3x3 then pointwise 1x1, with a residual when the shape allows."""

    def __init__(self, cin, cout, stride=1, dilation=1):
        super().__init__()
        self.depthwise = conv_bn(cin, cin, stride, groups=cin, dilation=dilation)
        self.pointwise = conv_bn(cin, cout, kernel=1)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.pointwise(self.depthwise(x))
        return x + y if self.residual else y


class RoadSegNet(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        w = width
        self.stem = conv_bn(3, w, stride=2)                                   # 1/2
        self.enc1 = nn.Sequential(SeparableBlock(w, w), SeparableBlock(w, w))
        self.down2 = SeparableBlock(w, 2 * w, stride=2)                       # 1/4
        self.enc2 = nn.Sequential(SeparableBlock(2 * w, 2 * w), SeparableBlock(2 * w, 2 * w))
        self.down3 = SeparableBlock(2 * w, 4 * w, stride=2)                   # 1/8
        self.enc3 = nn.Sequential(SeparableBlock(4 * w, 4 * w, dilation=2),
                                  SeparableBlock(4 * w, 4 * w, dilation=4),
                                  SeparableBlock(4 * w, 4 * w, dilation=8))
        self.dec2 = nn.Sequential(conv_bn(6 * w, 2 * w, kernel=1), SeparableBlock(2 * w, 2 * w))
        self.dec1 = nn.Sequential(conv_bn(3 * w, w, kernel=1), SeparableBlock(w, w))
        self.head = nn.Conv2d(w, len(CLASSES), 1)

    def forward(self, x):
        s1 = self.enc1(self.stem(x))
        s2 = self.enc2(self.down2(s1))
        s3 = self.enc3(self.down3(s2))
        y = F.interpolate(s3, size=s2.shape[2:], mode="bilinear", align_corners=False)
        y = self.dec2(torch.cat([y, s2], 1))
        y = F.interpolate(y, size=s1.shape[2:], mode="bilinear", align_corners=False)
        y = self.dec1(torch.cat([y, s1], 1))
        y = self.head(y)
        return F.interpolate(y, size=x.shape[2:], mode="bilinear", align_corners=False)
