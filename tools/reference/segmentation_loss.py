"""Reference values of SegNets' SegmentationLoss (Debian's torch 1.13).

    /usr/bin/python3 tools/reference/segmentation_loss.py OUT_DIR

Seeded logits (main and aux, 2x5x9x11) and labels with ignore pixels (255); writes OUT_DIR/loss.pth with the inputs and:
  plain      F.cross_entropy(main, y, ignore_index=255)
  weighted   the same with per-class weights (PyTorch's weighted mean: divided by the summed weights of the pixels)
  aux        plain + 0.5 * F.cross_entropy(aux, y, ignore_index=255)   (GluonCV MixSoftmaxCrossEntropyLoss,
             torchvision references/segmentation criterion)
  ohem       OHEM as PSPNet/HRNet-style trainers (HRNet-Semantic-Segmentation lib/core/criterion.py OhemCrossEntropy):
             per-pixel losses of labelled pixels; keep those whose true-class probability is below 0.7, or the
             MIN_KEPT hardest when fewer; mean of the kept losses. Written here with torch.topk on the losses.
  ohem_few   the same with MIN_KEPT larger than the hard pixels, so the top-k branch is taken
"""
import math
import os
import sys

import torch
import torch.nn.functional as F


def ohem(logits, y, threshold, min_kept):
    losses = F.cross_entropy(logits, y, ignore_index=255, reduction="none").flatten()
    losses = losses[y.flatten() != 255]
    hard = losses[losses > -math.log(threshold)]
    k = min(min_kept, losses.numel())
    if hard.numel() >= k:
        return hard.mean()
    return losses.topk(k).values.mean()


def main(out_dir):
    g = torch.Generator().manual_seed(7)
    main_logits = torch.randn(2, 5, 9, 11, generator=g) * 2
    aux_logits = torch.randn(2, 5, 9, 11, generator=g) * 2
    y = torch.randint(0, 5, (2, 9, 11), generator=g)
    y[torch.rand(y.shape, generator=g) < 0.15] = 255
    weights = torch.tensor([0.5, 1.0, 2.0, 1.5, 0.25])
    plain = F.cross_entropy(main_logits, y, ignore_index=255)
    hard_count = int((F.cross_entropy(main_logits, y, ignore_index=255, reduction="none")[y != 255] > -math.log(0.7)).sum())
    out = {
        "main": main_logits, "aux_logits": aux_logits, "y": y, "weights": weights,
        "plain": plain,
        "weighted": F.cross_entropy(main_logits, y, weight=weights, ignore_index=255),
        "aux": plain + 0.5 * F.cross_entropy(aux_logits, y, ignore_index=255),
        "ohem": ohem(main_logits, y, 0.7, 10),
        "ohem_few": ohem(main_logits, y, 0.7, hard_count + 20),
        "ohem_few_kept": torch.tensor(hard_count + 20),
    }
    torch.save(out, os.path.join(out_dir, "loss.pth"))


if __name__ == "__main__":
    main(sys.argv[1])
