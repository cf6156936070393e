"""The road-segnet network: a compact encoder-decoder for pothole, crack and lane masks.

Small on purpose (tens of thousands of parameters): it has to run on one laptop core in a few tens of
milliseconds, and it uses only operators Debian's OpenCV 4.6 DNN runs (Conv, BatchNorm folded
into Conv, ReLU, Resize, Concat, Add)."""
import numpy as np
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


def _level_maps(old_width, new_width, rng):
    """For each stage (channels 1, 2 and 4 times the width): which old channel every new channel
    copies. The old channels come first, in order; the extra ones repeat old channels at random."""
    maps = {}
    for k in (1, 2, 4):
        old, new = k * old_width, k * new_width
        maps[k * old_width] = np.concatenate([np.arange(old), rng.integers(0, old, new - old)])
    return maps


def _input_map(in_channels, old_width, maps):
    """(old input channel of each new input channel, how many new channels share it). The
    decoders' inputs are concatenations: [1/8 stage, 1/4 stage] and [1/4 stage, 1/2 stage]."""
    if in_channels in maps:
        parts = [(maps[in_channels], 0)]
    elif in_channels == 6 * old_width:
        parts = [(maps[4 * old_width], 0), (maps[2 * old_width], 4 * old_width)]
    elif in_channels == 3 * old_width:
        parts = [(maps[2 * old_width], 0), (maps[old_width], 2 * old_width)]
    else:  # the image
        return np.arange(in_channels), np.ones(in_channels)
    index = np.concatenate([m + offset for m, offset in parts])
    shared = np.concatenate([np.bincount(m)[m] for m, _ in parts])
    return index, shared


def widen(net, width, seed=0, noise=0.01):
    """A RoadSegNet `width` wide that computes what `net` does (Net2WiderNet, Chen et al. 2016):
    every new channel copies an old one, and the layers that read a copied channel share its
    weight among the copies. A little noise on the copies lets them learn apart. The network
    underfits at the width a laptop core runs fast; widening a trained one saves training from
    scratch on a CPU."""
    old_width = net.stem[0].out_channels
    if width < old_width:
        raise ValueError(f"cannot widen a network of width {old_width} to {width}")
    rng = np.random.default_rng(seed)
    maps = _level_maps(old_width, width, rng)
    wider = RoadSegNet(width)
    with torch.no_grad():
        for old, new in zip(net.modules(), wider.modules()):
            if isinstance(old, nn.Conv2d):
                out_index = maps.get(old.out_channels, np.arange(old.out_channels))
                weight = old.weight[torch.from_numpy(out_index)]
                if old.groups == 1:
                    in_index, shared = _input_map(old.in_channels, old_width, maps)
                    weight = weight[:, torch.from_numpy(in_index)] / torch.from_numpy(shared).float().view(1, -1, 1, 1)
                copies = torch.zeros(len(out_index), 1, 1, 1)
                copies[old.out_channels:] = 1  # out_index starts with the old channels, in order
                weight = weight + copies * noise * float(old.weight.std()) * torch.randn(weight.shape)
                new.weight.copy_(weight)
                if old.bias is not None:
                    new.bias.copy_(old.bias[torch.from_numpy(out_index)])
            elif isinstance(old, nn.BatchNorm2d):
                index = torch.from_numpy(maps[old.num_features])
                for name in ("weight", "bias", "running_mean", "running_var"):
                    getattr(new, name).copy_(getattr(old, name)[index])
                new.num_batches_tracked.copy_(old.num_batches_tracked)
    return wider
