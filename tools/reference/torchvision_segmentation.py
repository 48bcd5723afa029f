"""Reference outputs of torchvision's segmentation models for SegNets' parity tests (Debian's torchvision 0.14).

    /usr/bin/python3 tools/reference/torchvision_segmentation.py OUT_DIR MODEL [NUM_CLASSES]

MODEL: fcn_resnet50, fcn_resnet101, deeplabv3_resnet50, deeplabv3_resnet101, deeplabv3_mobilenet_v3_large,
lraspp_mobilenet_v3_large. Builds torchvision.models.segmentation.MODEL(weights=None, weights_backbone=None,
num_classes=NUM_CLASSES (default 5), aux_loss=True where the model has one), randomises every weight and BatchNorm statistic with a fixed
seed, runs a 2x3x67x75 input in eval mode and writes
  OUT_DIR/weights.pth   the model's state_dict (torch.save, as a user's fine-tuned checkpoint would be)
  OUT_DIR/outputs.pth   {'input', 'out', 'aux' (if any), 'num_params' (this model), 'num_params.21' (the published
                        configuration: 21 classes, aux head as torchvision's COCO weights have it)}
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torchvision_backbones import randomize  # noqa: E402

HAS_AUX = {"fcn_resnet50", "fcn_resnet101", "deeplabv3_resnet50", "deeplabv3_resnet101", "deeplabv3_mobilenet_v3_large"}


def build(name, num_classes):
    builder = getattr(torchvision.models.segmentation, name)
    kwargs = dict(weights=None, weights_backbone=None, num_classes=num_classes)
    if name in HAS_AUX:
        kwargs["aux_loss"] = True
    return builder(**kwargs)


def count(model):
    return sum(p.numel() for p in model.parameters())


def main(out_dir, name, num_classes=5):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(20260501)
    model = build(name, num_classes)
    randomize(model, generator)
    model.eval()
    x = torch.randn(2, 3, 67, 75, generator=generator)
    with torch.no_grad():
        result = model(x)
    outputs = {"input": x, "out": result["out"], "num_params": torch.tensor(count(model)),
               "num_params.21": torch.tensor(count(build(name, 21)))}
    if "aux" in result:
        outputs["aux"] = result["aux"]
    torch.save(model.state_dict(), os.path.join(out_dir, "weights.pth"))
    torch.save(outputs, os.path.join(out_dir, "outputs.pth"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 5)
