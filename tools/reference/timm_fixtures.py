"""Reference outputs of timm's ports of GluonCV's ResNet variants (resnet50c = v1c, resnet50d = v1d, resnet50s = v1s,
...) of TF DeepLab's aligned Xception-65 (xception65) and of pycls' RegNetX (regnetx_004..032, the
widths TI edgeai's encoders use; synthetic weights are filled under SegNets' key names, see regnet_key) for SegNets' parity tests, committed as small fixtures because timm is not a Debian package (the GPU machine has
timm; it also imports from a checkout with Debian's torch 1.13). Weights are synthetic
(tools/reference/synthetic_weights.py), so only inputs and outputs are stored.

    /usr/bin/python3 tools/reference/timm_fixtures.py TIMM_SRC OUT_DIR

TIMM_SRC: a folder whose `timm` package is huggingface/pytorch-image-models (read at commit aa4b5850), or "-" to use an
installed timm. Writes OUT_DIR/<model>_os<N>.pth holding 'input' (1x3x50x58), 'c1'..'c5', 'logits', 'num_params'.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_weights  # noqa: E402

CASES = [("resnet50c", 32), ("resnet50d", 32), ("resnet50s", 32), ("resnet101d", 32), ("resnet152s", 32),
         ("resnet50s", 8), ("resnet50d", 8), ("xception65", 32), ("xception65", 16), ("xception65", 8),
         ("regnetx_004", 32), ("regnetx_008", 32), ("regnetx_016", 32), ("regnetx_032", 32)]


def regnet_key(key):
    """timm's RegNet keys -> SegNets' (torchvision's layout), so both sides get the same synthetic weights:
    stem.conv/bn -> stem.0/1; sN.bM.conv1/2/3 -> trunk_output.blockN.blockN-(M-1).f.a/b/c (conv -> 0, bn -> 1);
    sN.bM.downsample.conv/bn -> ...proj.0/1; head.fc -> fc."""
    parts = key.split(".")
    layer = {"conv": "0", "bn": "1"}
    if parts[0] == "stem":
        return f"stem.{layer[parts[1]]}.{parts[2]}"
    if parts[0] == "head":
        return "fc." + parts[-1]
    stage, block = int(parts[0][1:]), int(parts[1][1:]) - 1
    prefix = f"trunk_output.block{stage}.block{stage}-{block}"
    if parts[2] == "downsample":
        return f"{prefix}.proj.{layer[parts[3]]}.{parts[4]}"
    return f"{prefix}.f.{dict(conv1='a', conv2='b', conv3='c')[parts[2]]}.{layer[parts[3]]}.{parts[4]}"


def regnet_stages(model, x):
    feats = [model.stem(x)]
    for stage in (model.s1, model.s2, model.s3, model.s4):
        feats.append(stage(feats[-1]))
    return feats


def resnet_stages(model, x):
    c1 = model.act1(model.bn1(model.conv1(x)))
    c2 = model.layer1(model.maxpool(c1))
    c3 = model.layer2(c2)
    c4 = model.layer3(c3)
    c5 = model.layer4(c4)
    return [c1, c2, c3, c4, c5]


def xception_stages(model, x):
    """c1..c4: the second separable conv's output (pre-ReLU; cloned, since the next ReLU works in place) of each
    strided block, as DeepLabV3+ takes its low-level feature; c5: the last block's output."""
    taps = []
    hooks = [model.blocks[i].stack.conv2.register_forward_hook(lambda m, args, out: taps.append(out.clone()))
             for i in (0, 1, 2, 19)]
    c5 = model.blocks(model.stem(x))
    for h in hooks:
        h.remove()
    return taps + [c5]


def main(src, out):
    if src != "-":
        sys.path.insert(0, src)
    import timm

    os.makedirs(out, exist_ok=True)
    generator = torch.Generator().manual_seed(20261123)
    x = torch.randn(1, 3, 50, 58, generator=generator)
    for name, output_stride in CASES:
        model = timm.create_model(name, pretrained=False, output_stride=output_stride)
        if name.startswith("regnet"):
            synthetic_weights.fill_renamed(model, regnet_key)
        else:
            synthetic_weights.fill(model)
        model.eval()
        with torch.no_grad():
            stages = (xception_stages if name.startswith("xception")
                      else regnet_stages if name.startswith("regnet") else resnet_stages)(model, x)
            logits = model.forward_head(stages[-1])
        params = sum(p.numel() for p in model.parameters())
        record = {f"c{i + 1}": s for i, s in enumerate(stages)}
        record.update({"input": x, "logits": logits, "num_params": torch.tensor(params)})
        torch.save(record, os.path.join(out, f"{name}_os{output_stride}.pth"))
        print(f"timm {timm.__version__} {name} os{output_stride}: params {params}, " +
              ", ".join(f"c{i + 1} {tuple(s.shape)}" for i, s in enumerate(stages)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
