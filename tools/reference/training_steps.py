"""Reference weights after a few training iterations, for SegNets' Trainer parity test (Debian's torch 1.13).

    /usr/bin/python3 tools/reference/training_steps.py OUT_DIR [adamw]

The training step is GluonCV's scripts/segmentation/train.py (gluon-cv@5677756) written with PyTorch's own
optimizer: SGD(momentum 0.9, weight decay 1e-4) over two parameter groups, the backbone at the base learning rate
and the head at 10x (GluonCV's lr_mult 10 on its heads), the poly schedule lr = base * (1 - it / total) ** 0.9 set
before every iteration (gluoncv/utils/lr_scheduler.py, mode 'poly'), cross-entropy with ignore_index 255 on ImageNet-
normalised 0..255 images. Model: torchvision 0.14's lraspp_mobilenet_v3_large (num_classes=4; no dropout, so no
random numbers are drawn in training) with every weight randomised by a fixed seed, in train mode (BatchNorm on
batch statistics, running statistics updated). Batches are taken in order, 2 epochs x 3 batches of 2 images.
With `adamw` the optimizer is torch.optim.AdamW (betas 0.9/0.999, eps 1e-8, decoupled weight decay 0.01, base lr 1e-3)
over the same groups and schedule, as mmsegmentation trains SegFormer.

Writes OUT_DIR/initial.pth (state_dict before), OUT_DIR/final.pth (after), OUT_DIR/data.pth
{'images': uint8 (6,3,40,48), 'masks': int64 (6,40,48), 'losses': float (6,), 'lrs': float (6,)}.
"""
import os
import sys

import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torchvision_backbones import randomize  # noqa: E402

EPOCHS, BATCHES, BATCH = 2, 3, 2
BASE_LR, HEAD_MULT, MOMENTUM, WD, POWER = 0.01, 10.0, 0.9, 1e-4, 0.9
ADAMW_LR, ADAMW_WD = 1e-3, 0.01
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def main(out_dir, kind="sgd"):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(20261123)
    model = torchvision.models.segmentation.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=4)
    randomize(model, generator)
    model.train()
    images = torch.randint(0, 256, (BATCHES * BATCH, 3, 40, 48), generator=generator, dtype=torch.uint8)
    masks = torch.randint(0, 4, (BATCHES * BATCH, 40, 48), generator=generator)
    masks[torch.rand(masks.shape, generator=generator) < 0.1] = 255
    torch.save(model.state_dict(), os.path.join(out_dir, "initial.pth"))

    backbone = [p for n, p in model.named_parameters() if n.startswith("backbone.")]
    head = [p for n, p in model.named_parameters() if not n.startswith("backbone.")]
    base_lr = BASE_LR if kind == "sgd" else ADAMW_LR
    groups = [{"params": backbone, "lr": base_lr}, {"params": head, "lr": base_lr * HEAD_MULT}]
    if kind == "sgd":
        optimizer = torch.optim.SGD(groups, lr=base_lr, momentum=MOMENTUM, weight_decay=WD)
    else:
        optimizer = torch.optim.AdamW(groups, lr=base_lr, betas=(MOMENTUM, 0.999), eps=1e-8, weight_decay=ADAMW_WD)
    total = EPOCHS * BATCHES
    losses, lrs = [], []
    it = 0
    for _ in range(EPOCHS):
        for b in range(BATCHES):
            lr = base_lr * (1 - it / total) ** POWER
            optimizer.param_groups[0]["lr"] = lr
            optimizer.param_groups[1]["lr"] = lr * HEAD_MULT
            x = (images[b * BATCH:(b + 1) * BATCH].float() / 255 - MEAN) / STD
            y = masks[b * BATCH:(b + 1) * BATCH]
            loss = F.cross_entropy(model(x)["out"], y, ignore_index=255)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            lrs.append(lr)
            it += 1
    torch.save(model.state_dict(), os.path.join(out_dir, "final.pth"))
    torch.save({"images": images, "masks": masks, "losses": torch.tensor(losses, dtype=torch.float64),
                "lrs": torch.tensor(lrs, dtype=torch.float64)}, os.path.join(out_dir, "data.pth"))


if __name__ == "__main__":
    main(sys.argv[1], *sys.argv[2:3])
