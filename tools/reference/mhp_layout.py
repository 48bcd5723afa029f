"""A tiny LV-MHP-v1 folder for SegNets' MhpV1Segmentation test, with the merged label maps GluonCV computes.

    /usr/bin/python3 tools/reference/mhp_layout.py OUT_DIR

Writes OUT_DIR/LV-MHP-v1/{images/*.jpg, annotations/NAME_NN_KK.png, train_list.txt, test_list.txt} (PIL) and
OUT_DIR/expected.pth: {id: int64 merged label map}. The merge is gluon-cv@5677756 gluoncv/data/mhp.py _get_mask, run
as written there (numpy masked arrays) over the person files of each image in name order.
"""
import os
import sys

import numpy as np
import torch
from PIL import Image


def get_mask(paths):
    # gluoncv/data/mhp.py _get_mask, lines for lines
    mask_np = None
    mask_idx = None
    for path in paths:
        mask_sub_np = np.array(Image.open(path), dtype=np.uint8)
        if mask_idx is None:
            mask_idx = np.zeros(mask_sub_np.shape, dtype=np.uint8)
        mask_sub_np = np.ma.masked_array(mask_sub_np, mask=mask_idx)
        mask_idx += np.minimum(mask_sub_np, 1)
        if mask_np is None:
            mask_np = mask_sub_np
        else:
            mask_np += mask_sub_np
    assert np.max(mask_np) <= 18 and np.min(mask_np) >= 0
    return np.array(Image.fromarray(mask_np))


def main(out):
    rng = np.random.default_rng(3)
    root = os.path.join(out, "LV-MHP-v1")
    os.makedirs(os.path.join(root, "images"), exist_ok=True)
    os.makedirs(os.path.join(root, "annotations"), exist_ok=True)
    # "1" and "10": GluonCV's bare prefix test would give image 1 the persons of image 10 too.
    images = {"1": (3, 20, 24), "10": (2, 16, 18), "2": (1, 12, 14), "7": (4, 18, 16)}
    expected = {}
    for name, (people, h, w) in images.items():
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(os.path.join(root, "images", name + ".jpg"), quality=95)
        paths = []
        for k in range(1, people + 1):
            part = np.zeros((h, w), dtype=np.uint8)
            # overlapping rectangles of random parts, so the merge order matters
            for _ in range(3):
                y, x = rng.integers(0, h - 4), rng.integers(0, w - 4)
                part[y:y + rng.integers(3, h - y + 1), x:x + rng.integers(3, w - x + 1)] = rng.integers(1, 19)
            path = os.path.join(root, "annotations", f"{name}_{people:02d}_{k:02d}.png")
            Image.fromarray(part, mode="L").save(path)
            paths.append(path)
        expected[name] = torch.from_numpy(get_mask(sorted(paths)).astype(np.int64))
    with open(os.path.join(root, "train_list.txt"), "w") as f:
        f.write("1.jpg\n10.jpg\n2.jpg\n")
    with open(os.path.join(root, "test_list.txt"), "w") as f:
        f.write("7.jpg\n")
    torch.save(expected, os.path.join(out, "expected.pth"))


if __name__ == "__main__":
    main(sys.argv[1])
