"""Reference outputs of SegNets' TinyUNet written in plain PyTorch (Debian's torch 1.13), for its parity test.

    /usr/bin/python3 tools/reference/tiny_unet.py OUT_DIR

TinyUNet is SegNets' own quickstart network (no original framework has it); this is its definition in PyTorch, the one
the quickstart's prototypes used: three stride-2 stages of 3x3 conv-BN-ReLU (w, 2w, 4w; the last with dilations 1, 1,
2, 4), two decoder steps (bilinear upsample, concatenate the skip, 3x3 conv-BN-ReLU), a 1x1 classifier, bilinear resize
to the input (align_corners=False). Every weight and BN statistic is randomised with a fixed seed; eval mode.
Writes OUT_DIR/weights.pth (state_dict, SegNets' key names) and OUT_DIR/outputs.pth {'input', 'out'}.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBnAct(nn.Module):
    def __init__(self, i, o, stride=1, dilation=1):
        super().__init__()
        self.conv = nn.Conv2d(i, o, 3, stride, dilation, dilation=dilation, bias=False)
        self.bn = nn.BatchNorm2d(o)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Encoder(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.stage1 = nn.Sequential(ConvBnAct(3, w, 2), ConvBnAct(w, w))
        self.stage2 = nn.Sequential(ConvBnAct(w, 2 * w, 2), ConvBnAct(2 * w, 2 * w))
        self.stage3 = nn.Sequential(ConvBnAct(2 * w, 4 * w, 2), ConvBnAct(4 * w, 4 * w),
                                    ConvBnAct(4 * w, 4 * w, dilation=2), ConvBnAct(4 * w, 4 * w, dilation=4))


class TinyUNet(nn.Module):
    def __init__(self, classes, w):
        super().__init__()
        self.backbone = Encoder(w)
        self.decoder2 = ConvBnAct(6 * w, 2 * w)
        self.decoder1 = ConvBnAct(3 * w, w)
        self.classifier = nn.Conv2d(w, classes, 1)

    def forward(self, x):
        s2 = self.backbone.stage1(x)
        s4 = self.backbone.stage2(s2)
        s8 = self.backbone.stage3(s4)
        up = lambda t, like: F.interpolate(t, size=like.shape[2:], mode="bilinear", align_corners=False)
        d4 = self.decoder2(torch.cat([up(s8, s4), s4], 1))
        d2 = self.decoder1(torch.cat([up(d4, s2), s2], 1))
        return up(self.classifier(d2), x)


def main(out_dir):
    g = torch.Generator().manual_seed(20261123)
    model = TinyUNet(11, 8)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            else:
                t.copy_(torch.randn(t.shape, generator=g) * 0.3)
    model.eval()
    x = torch.randn(2, 3, 45, 61, generator=g)
    with torch.no_grad():
        out = model(x)
    torch.save(model.state_dict(), os.path.join(out_dir, "weights.pth"))
    torch.save({"input": x, "out": out}, os.path.join(out_dir, "outputs.pth"))


if __name__ == "__main__":
    main(sys.argv[1])
