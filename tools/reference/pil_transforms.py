"""References for SegNets' joint transforms (src/SegNets/Data/Transforms), computed by Debian's Pillow, numpy and
torchvision under /usr/bin/python3.

    /usr/bin/python3 tools/reference/pil_transforms.py OUT_DIR

Writes OUT_DIR/reference.json with
  nearest:   "IN,OUT" -> the source index PIL's Image.resize(NEAREST) takes for each output pixel (read off an 'I' image
             holding 0..IN-1), for all IN, OUT in 1..40 and a few large pairs;
  bilinear:  input (3,H,W) uint8 and PIL Image.resize(BILINEAR) outputs (3,h,w) for several sizes;
  blur:      input and ImageFilter.GaussianBlur(radius) outputs, as gluoncv/data/segbase.py _sync_transform calls it;
  val:       gluoncv/data/segbase.py _val_sync_transform (dmlc/gluon-cv@567775619f3b) on PIL images, transcribed
             without the mxnet conversion: image and mask outputs;
  jitter:    torchvision.transforms.functional adjust_brightness/contrast/saturation/hue on a uint8 tensor.
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision.transforms.functional as TF
from PIL import Image, ImageFilter

LARGE_PAIRS = [(500, 1040), (375, 260), (1024, 480), (2048, 1041), (333, 999), (10, 3), (3, 10), (520, 481)]


def nearest_table():
    table = {}
    pairs = [(i, o) for i in range(1, 41) for o in range(1, 41)] + LARGE_PAIRS
    for n_in, n_out in pairs:
        src = Image.fromarray(np.arange(n_in, dtype=np.int32).reshape(1, n_in), mode="I")
        out = np.array(src.resize((n_out, 1), Image.NEAREST))
        table[f"{n_in},{n_out}"] = out.reshape(-1).tolist()
    return table


def chw(img):
    return np.transpose(np.array(img), (2, 0, 1)).reshape(-1).tolist()


def random_image(rng, h, w):
    return rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)


def val_sync_transform(img, mask, crop_size):
    # gluoncv/data/segbase.py SegmentationDataset._val_sync_transform, PIL part verbatim in meaning.
    outsize = crop_size
    short_size = outsize
    w, h = img.size
    if w > h:
        oh = short_size
        ow = int(1.0 * w * oh / h)
    else:
        ow = short_size
        oh = int(1.0 * h * ow / w)
    img = img.resize((ow, oh), Image.BILINEAR)
    mask = mask.resize((ow, oh), Image.NEAREST)
    w, h = img.size
    x1 = int(round((w - outsize) / 2.))
    y1 = int(round((h - outsize) / 2.))
    img = img.crop((x1, y1, x1 + outsize, y1 + outsize))
    mask = mask.crop((x1, y1, x1 + outsize, y1 + outsize))
    return img, mask


def main(out_dir):
    rng = np.random.default_rng(20240607)
    ref = {"nearest": nearest_table()}

    src = random_image(rng, 37, 53)
    smooth = (np.add.outer(np.arange(37) * 5, np.arange(53) * 3) % 256).astype(np.uint8)
    src[:, :, 0] = smooth  # one smooth channel next to two noise channels
    pil = Image.fromarray(src, mode="RGB")
    ref["bilinear"] = {"input": chw(pil), "height": 37, "width": 53, "outputs": []}
    for h, w in [(18, 26), (74, 106), (20, 61), (51, 30), (9, 13), (37, 53)]:
        ref["bilinear"]["outputs"].append({"height": h, "width": w, "data": chw(pil.resize((w, h), Image.BILINEAR))})

    blur_src = Image.fromarray(random_image(rng, 23, 31), mode="RGB")
    ref["blur"] = {"input": chw(blur_src), "height": 23, "width": 31, "outputs": []}
    for radius in [0.05, 0.3, 0.5, 0.7316, 0.99, 1.7, 3.2]:
        out = blur_src.filter(ImageFilter.GaussianBlur(radius=radius))
        ref["blur"]["outputs"].append({"radius": radius, "data": chw(out)})

    ref["val"] = []
    for h, w, crop in [(23, 35, 16), (40, 27, 21), (30, 30, 17), (12, 50, 9)]:
        image = Image.fromarray(random_image(rng, h, w), mode="RGB")
        labels = (np.arange(h * w) % 251).reshape(h, w).astype(np.uint8)  # distinct neighbours, 8-bit as a 'L' PNG
        mask = Image.fromarray(labels, mode="L")
        vi, vm = val_sync_transform(image, mask, crop)
        ref["val"].append({"height": h, "width": w, "crop": crop, "image": chw(image), "mask": labels.reshape(-1).tolist(),
                           "out_image": chw(vi), "out_mask": np.array(vm).reshape(-1).tolist()})

    jitter_src = torch.from_numpy(np.transpose(random_image(rng, 11, 13), (2, 0, 1)).copy())
    ref["jitter"] = {"input": jitter_src.reshape(-1).tolist(), "height": 11, "width": 13, "outputs": []}
    for name, fn, factors in [("brightness", TF.adjust_brightness, [0.0, 0.6, 1.37]),
                              ("contrast", TF.adjust_contrast, [0.0, 0.55, 1.4]),
                              ("saturation", TF.adjust_saturation, [0.0, 0.7, 1.6]),
                              ("hue", TF.adjust_hue, [-0.5, -0.13, 0.0, 0.21, 0.5])]:
        for factor in factors:
            out = fn(jitter_src, factor)
            ref["jitter"]["outputs"].append({"name": name, "factor": factor, "data": out.reshape(-1).tolist()})

    ref["versions"] = {"PIL": Image.__version__, "torchvision": __import__("torchvision").__version__}
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump(ref, f)


if __name__ == "__main__":
    main(sys.argv[1])
