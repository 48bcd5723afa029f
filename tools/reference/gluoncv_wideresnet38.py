"""Reference for SegNets' WideResNet-38 (GluonCV's WiderResNetA2 "38", the backbone of deeplab_v3b_plus_wideresnet_citys).

GluonCV is MXNet code that cannot run here, so this is a PyTorch transcription of
dmlc/gluon-cv@19d5765a gluoncv/model_zoo/wideresnet.py (itself adapted from mapillary/inplace_abn), written from that
file and checked against it line by line; each piece cites the lines it follows. MXNet's Conv2D/BatchNorm/MaxPool2D
and PyTorch's compute the same functions (BatchNorm eps 1e-5 in both; MaxPool2D floor mode).
It is NOT SegNets' C# code: the test compares the two.

    /usr/bin/python3 tools/reference/gluoncv_wideresnet38.py OUT_DIR

Writes OUT_DIR/outputs.pth: 'input' (1x3x50x58), for dilation False ('os32.') and True ('os8.') the outputs of
mod2 .. mod7 as c1 (mod2), c2 (mod3), c3 (mod4), c4 (mod5), 'mod6', c5 (mod7), the classifier logits (bn_out +
global pool + dense, 1000 classes; os32 only), and 'num_params.seg' / 'num_params.cls'. Weights are
synthetic_weights.py's, filled by state-dict key.
"""
import os
import sys
from collections import OrderedDict

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_weights  # noqa: E402


def bnrelu(channels):
    # bnrelu(): HybridSequential [BatchNorm(in_channels=channels), Activation('relu')]
    return nn.Sequential(nn.BatchNorm2d(channels, eps=1e-5), nn.ReLU())


class IdentityResidualBlock(nn.Module):
    # IdentityResidualBlock.__init__ / hybrid_forward
    def __init__(self, in_channels, channels, strides=1, dilation=1, dropout=None):
        super().__init__()
        is_bottleneck = len(channels) == 3
        need_proj_conv = strides != 1 or in_channels != channels[-1]
        self.bn1 = bnrelu(in_channels)
        if not is_bottleneck:
            # conv1 3x3 (strides, padding=dilation, dilation), bn2, conv2 3x3 (stride 1, padding=dilation, dilation)
            layers = [nn.Conv2d(in_channels, channels[0], 3, strides, dilation, dilation, bias=False),
                      bnrelu(channels[0]),
                      nn.Conv2d(channels[0], channels[1], 3, 1, dilation, dilation, bias=False)]
            if dropout is not None:
                layers = layers[0:2] + [dropout()] + layers[2:]
        else:
            # conv1 1x1 (strides), bn2, conv2 3x3 (padding=dilation, dilation, groups=1), bn3, conv3 1x1
            layers = [nn.Conv2d(in_channels, channels[0], 1, strides, 0, bias=False),
                      bnrelu(channels[0]),
                      nn.Conv2d(channels[0], channels[1], 3, 1, dilation, dilation, bias=False),
                      bnrelu(channels[1]),
                      nn.Conv2d(channels[1], channels[2], 1, 1, 0, bias=False)]
            if dropout is not None:
                layers = layers[0:4] + [dropout()] + layers[4:]
        self.convs = nn.Sequential(*layers)
        if need_proj_conv:
            self.proj_conv = nn.Conv2d(in_channels, channels[-1], 1, strides, 0, bias=False)

    def forward(self, x):
        # with proj_conv: shortcut = proj_conv(bn1(x)); else shortcut = x. out = convs(bn1(x)) + shortcut, no ReLU
        bn1 = self.bn1(x)
        shortcut = self.proj_conv(bn1) if hasattr(self, "proj_conv") else x
        return self.convs(bn1) + shortcut


class WiderResNetA2(nn.Module):
    # WiderResNetA2.__init__ with structure [3, 3, 6, 3, 1, 1] (_NETS["38"])
    def __init__(self, structure=(3, 3, 6, 3, 1, 1), classes=0, dilation=False):
        super().__init__()
        self.mod1 = nn.Sequential(nn.Conv2d(3, 64, 3, 1, 1, bias=False))
        in_channels = 64
        channels = [(128, 128), (256, 256), (512, 512), (512, 1024), (512, 1024, 2048), (1024, 2048, 4096)]
        for mod_id, num in enumerate(structure):
            blocks = []
            for block_id in range(num):
                if not dilation:
                    dil = 1
                    strides = 2 if block_id == 0 and 2 <= mod_id <= 4 else 1
                else:
                    dil = 2 if mod_id == 3 else 4 if mod_id > 3 else 1
                    strides = 2 if block_id == 0 and mod_id == 2 else 1
                drop = (lambda: nn.Dropout(0.3)) if mod_id == 4 else (lambda: nn.Dropout(0.5)) if mod_id == 5 else None
                blocks.append(IdentityResidualBlock(in_channels, channels[mod_id], strides, dil, drop))
                in_channels = channels[mod_id][-1]
            if mod_id == 0:
                self.pool2 = nn.MaxPool2d(3, 2, 1)
            if mod_id == 1:
                self.pool3 = nn.MaxPool2d(3, 2, 1)
            setattr(self, f"mod{mod_id + 2}", nn.Sequential(*blocks))
        if classes:
            self.bn_out = bnrelu(in_channels)
            self.classifier = nn.Sequential(OrderedDict([("1", nn.Linear(in_channels, classes))]))

    def stages(self, img):
        # hybrid_forward: mod1, pool2+mod2, pool3+mod3, mod4 .. mod7 (bn_out only on the classification path)
        m2 = self.mod2(self.pool2(self.mod1(img)))
        m3 = self.mod3(self.pool3(m2))
        m4 = self.mod4(m3)
        m5 = self.mod5(m4)
        m6 = self.mod6(m5)
        m7 = self.mod7(m6)
        return {"c1": m2, "c2": m3, "c3": m4, "c4": m5, "mod6": m6, "c5": m7}

    def classify(self, m7):
        return self.classifier[0](torch.flatten(torch.nn.functional.adaptive_avg_pool2d(self.bn_out(m7), 1), 1))


def main(out):
    os.makedirs(out, exist_ok=True)
    x = torch.randn(1, 3, 50, 58, generator=torch.Generator().manual_seed(20261123))
    record = {"input": x}
    for dilation, tag in ((False, "os32"), (True, "os8")):
        net = WiderResNetA2(classes=1000, dilation=dilation)
        synthetic_weights.fill(net)
        net.eval()
        with torch.no_grad():
            stages = net.stages(x)
            for k, v in stages.items():
                record[f"{tag}.{k}"] = v
            if not dilation:
                record["os32.logits"] = net.classify(stages["c5"])
        cls = sum(p.numel() for p in net.parameters())
        seg = cls - sum(p.numel() for n, p in net.named_parameters() if n.startswith(("bn_out", "classifier")))
        record["num_params.cls"] = torch.tensor(cls)
        record["num_params.seg"] = torch.tensor(seg)
        print(f"wrn38 {tag}: seg params {seg}, cls params {cls}, " +
              ", ".join(f"{k} {tuple(v.shape)} max|x| {v.abs().max():.3g}" for k, v in stages.items()))
    torch.save(record, os.path.join(out, "outputs.pth"))


if __name__ == "__main__":
    main(sys.argv[1])
