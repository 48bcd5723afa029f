"""Reference outputs of the ORIGINAL ResNeSt implementation (zhanghang1989/ResNeSt, resnest/torch/models/resnest.py,
pure PyTorch) for SegNets' ResNeSt parity tests, committed as small fixtures because that code cannot be installed
from Debian's packages. Weights are synthetic (tools/reference/synthetic_weights.py), so only inputs and outputs are
stored.

    /usr/bin/python3 tools/reference/resnest_fixtures.py RESNEST_REPO OUT_DIR

RESNEST_REPO: a checkout of github.com/zhanghang1989/ResNeSt (read at commit 1dfb3e8). Writes OUT_DIR/<model>_os<N>.pth
holding 'input' (1x3x50x58), 'c1'..'c5', 'logits' and 'num_params' (the original's learnable parameter count).
dilated (OS8) is the original's dilated=True; OS16 is its dilation=2.
"""
import os
import sys
import types

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_weights  # noqa: E402

CASES = [("resnest50", 32), ("resnest50", 16), ("resnest50", 8), ("resnest101", 32), ("resnest101", 8),
         ("resnest200", 32), ("resnest269", 32)]


def main(repo, out):
    # The original registers its builders with fvcore's Registry, which Debian does not package; a stand-in that
    # only records names is enough, since the builders' code is not used (ResNet is called directly below).
    registry = types.ModuleType("fvcore.common.registry")

    class Registry(dict):
        def __init__(self, name):
            super().__init__()

        def register(self, obj=None):
            return (lambda f: f) if obj is None else obj

    registry.Registry = Registry
    for module in ("fvcore", "fvcore.common"):
        sys.modules[module] = types.ModuleType(module)
    sys.modules["fvcore.common.registry"] = registry
    sys.path.insert(0, repo)
    from resnest.torch.models import resnet  # the original module

    layers = {"resnest50": ([3, 4, 6, 3], 32), "resnest101": ([3, 4, 23, 3], 64),
              "resnest200": ([3, 24, 36, 3], 64), "resnest269": ([3, 30, 48, 8], 64)}
    os.makedirs(out, exist_ok=True)
    generator = torch.Generator().manual_seed(20261123)
    x = torch.randn(1, 3, 50, 58, generator=generator)
    for name, output_stride in CASES:
        depth, stem = layers[name]
        # resnest.py's builders with the same arguments; dilation as in ResNet.__init__ (dilated / dilation=2)
        model = resnet.ResNet(resnet.Bottleneck, depth, radix=2, groups=1, bottleneck_width=64,
                              deep_stem=True, stem_width=stem, avg_down=True, avd=True, avd_first=False,
                              dilated=output_stride == 8, dilation=2 if output_stride == 16 else 1)
        synthetic_weights.fill(model)
        model.eval()
        with torch.no_grad():
            c1 = model.relu(model.bn1(model.conv1(x)))
            c2 = model.layer1(model.maxpool(c1))
            c3 = model.layer2(c2)
            c4 = model.layer3(c3)
            c5 = model.layer4(c4)
            logits = model.fc(torch.flatten(model.avgpool(c5), 1))
        params = sum(p.numel() for p in model.parameters())
        torch.save({"input": x, "c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5, "logits": logits,
                    "num_params": torch.tensor(params)}, os.path.join(out, f"{name}_os{output_stride}.pth"))
        print(f"{name} os{output_stride}: params {params}, c5 {tuple(c5.shape)} max|x| {c5.abs().max():.3g}, "
              f"logits max|x| {logits.abs().max():.3g}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
