#!/usr/bin/python3
"""Builds the "fashion-scenes" sample segmentation dataset from Fashion-MNIST.

Usage: /usr/bin/python3 tools/make_fashion_scenes.py OUT_DIR [--mnist DIR] [--train N] [--val N]

Each scene is 128x128 RGB: a random background (solid colour, linear gradient or smooth value-noise texture) with
2..5 Fashion-MNIST items pasted on it, each upscaled 1x..2.5x (bilinear), placed at a random position where it hides
at most 10% of its own area of earlier items (redrawn up to 30 times, else left out: the outline, which is what tells
the classes apart, stays visible) and painted in a random tint, shaded by the item's own grey values, so that neither
colour nor brightness alone gives the class. The label map is 0 (background) everywhere except where an item's upscaled grey
value is above THRESHOLD: there it is the item's Fashion-MNIST class + 1 (1 T-shirt/top ... 10 Ankle boot).

Output, in Pascal VOC's layout (so a VOC reader reads it):
  JPEGImages/fs_train_0000.jpg ...          quality 80
  SegmentationClass/fs_train_0000.png ...   8-bit palette PNG (mode 'P'), VOC colour map, values 0..10
  ImageSets/Segmentation/train.txt, val.txt
  README.txt, LICENSE.txt

Train scenes draw items from Fashion-MNIST's training set, val scenes from its test set (t10k), so no item is in
both. Deterministic: everything comes from numpy's legacy RandomState seeded with SEED (whose streams numpy keeps
stable across versions), and the scenes are written in a fixed order, so running the script again writes
byte-identical files given the same Pillow/libjpeg/zlib (the tests regenerate it with Debian 12's python3-pil and
compare bytes). --train/--val smaller than the defaults write a prefix of the same scenes: scene i of a split does
not depend on how many scenes are written (each scene has its own RandomState seeded from (SEED, split, i)).

Source data: Debian's package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), Fashion-MNIST by Zalando
SE, MIT licence (https://github.com/zalandoresearch/fashion-mnist).
"""
import argparse
import gzip
import os

import numpy as np
from PIL import Image

SEED = 20240607
SIZE = 128
THRESHOLD = 48           # grey value (0..255) above which an upscaled item pixel is the item, not background
MIN_SCALE, MAX_SCALE = 1.0, 2.5
MAX_OVERLAP = 0.1        # an item may cover at most this share of its pixels' worth of earlier items
PLACEMENT_TRIES = 30
MIN_ITEMS, MAX_ITEMS = 2, 5
JPEG_QUALITY = 80
DEFAULT_MNIST = "/usr/share/datasets/fashion-mnist"
CLASSES = ["background", "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
           "Ankle boot"]
SPLITS = {"train": ("train", 0), "val": ("t10k", 1)}


def voc_palette():
    """The VOC devkit colour map (VOClabelcolormap.m), 256 entries, as a flat list for Image.putpalette."""
    palette = []
    for label in range(256):
        r = g = b = 0
        lab, bit = label, 7
        while lab:
            r |= (lab & 1) << bit
            g |= ((lab >> 1) & 1) << bit
            b |= ((lab >> 2) & 1) << bit
            lab >>= 3
            bit -= 1
        palette += [r, g, b]
    return palette


def load_mnist(directory, kind):
    # The idx format as in Fashion-MNIST's utils/mnist_reader.py: 8-byte label header, 16-byte image header.
    with gzip.open(os.path.join(directory, f"{kind}-labels-idx1-ubyte.gz"), "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    with gzip.open(os.path.join(directory, f"{kind}-images-idx3-ubyte.gz"), "rb") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(len(labels), 28, 28)
    return images, labels


def random_colour(rng):
    return rng.randint(0, 256, size=3).astype(np.float64)


def luminance(rgb):
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def background(rng):
    kind = rng.randint(3)
    if kind == 0:  # solid colour
        return np.broadcast_to(random_colour(rng), (SIZE, SIZE, 3)).copy()
    if kind == 1:  # linear gradient between two colours at a random angle
        a, b = random_colour(rng), random_colour(rng)
        angle = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:SIZE, 0:SIZE] / (SIZE - 1)
        t = (np.cos(angle) * xx + np.sin(angle) * yy)
        t = (t - t.min()) / (t.max() - t.min())
        return a * (1 - t[..., None]) + b * t[..., None]
    # smooth value noise: a coarse random grid upscaled bilinearly, mapping 0..1 between two colours
    a, b = random_colour(rng), random_colour(rng)
    cells = rng.randint(3, 9)
    coarse = rng.uniform(0, 1, size=(cells, cells))
    t = np.asarray(Image.fromarray((coarse * 255).astype(np.uint8)).resize((SIZE, SIZE), Image.BILINEAR),
                   dtype=np.float64) / 255
    return a * (1 - t[..., None]) + b * t[..., None]


def tint_for(rng, bg_lum):
    # A random colour whose luminance differs from the background's mean by at least 60 (a few tries, then the
    # last one): the items stay visible without colour telling the class.
    tint = random_colour(rng)
    for _ in range(20):
        if abs(luminance(tint) - bg_lum) >= 60:
            break
        tint = random_colour(rng)
    return tint


def scene(rng, images, by_class):
    canvas = background(rng)
    label = np.zeros((SIZE, SIZE), dtype=np.uint8)
    for _ in range(rng.randint(MIN_ITEMS, MAX_ITEMS + 1)):
        cls = rng.randint(10)
        pool = by_class[cls]
        item = images[pool[rng.randint(len(pool))]]
        side = int(round(28 * rng.uniform(MIN_SCALE, MAX_SCALE)))
        grey = np.asarray(Image.fromarray(item).resize((side, side), Image.BILINEAR), dtype=np.float64)
        mask = grey > THRESHOLD
        # Items must stay recognisable by their outline: a position where the item would hide more than MAX_OVERLAP
        # of its own area of earlier items is redrawn; after PLACEMENT_TRIES the item is left out.
        for _ in range(PLACEMENT_TRIES):
            y, x = rng.randint(0, SIZE - side + 1), rng.randint(0, SIZE - side + 1)
            if (label[y:y + side, x:x + side][mask] > 0).sum() <= MAX_OVERLAP * mask.sum():
                break
        else:
            continue
        region = canvas[y:y + side, x:x + side]
        tint = tint_for(rng, luminance(region.mean(axis=(0, 1))))
        # Shade the tint by the item's grey values (0.45..1.0) so its texture (seams, prints) shows.
        shade = 0.45 + 0.55 * (grey / 255)
        region[mask] = (tint[None, :] * shade[mask][:, None])
        label[y:y + side, x:x + side][mask] = cls + 1
    rgb = np.clip(np.rint(canvas), 0, 255).astype(np.uint8)
    return rgb, label


README = """fashion-scenes: a small semantic-segmentation sample dataset for SegNets' quickstart.

{total} scenes ({train} train, {val} val), 128x128 RGB, 11 classes:
  0 background, 1 T-shirt/top, 2 Trouser, 3 Pullover, 4 Dress, 5 Coat, 6 Sandal, 7 Shirt, 8 Sneaker, 9 Bag,
  10 Ankle boot (Fashion-MNIST class + 1). The ignore label 255 does not occur.

Layout as Pascal VOC 2012: JPEGImages/*.jpg, SegmentationClass/*.png (8-bit palette PNGs with the VOC colour map;
the pixel values are the class indices), ImageSets/Segmentation/{{train,val}}.txt.

Each scene pastes 2..5 Fashion-MNIST items (upscaled 1x..2.5x, random positions hiding at most 10% of earlier items,
random tints)
on a random solid, gradient or smooth-noise background; a pixel is labelled with an item's class where the
item's upscaled grey value is above {threshold}. Train scenes use Fashion-MNIST's training images, val scenes its
test images.

Generated by tools/make_fashion_scenes.py (seed {seed}; rerunning it writes byte-identical files) from Debian's
package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).

Fashion-MNIST: Copyright (c) 2017 Zalando SE, https://github.com/zalandoresearch/fashion-mnist, MIT licence
(see LICENSE.txt). These derived images are under the same licence.
"""

LICENSE = """The MIT License (MIT)

Copyright (c) 2017 Zalando SE

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--mnist", default=DEFAULT_MNIST)
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--val", type=int, default=100)
    args = parser.parse_args()

    for sub in ("JPEGImages", "SegmentationClass", os.path.join("ImageSets", "Segmentation")):
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    palette = voc_palette()
    counts = {"train": args.train, "val": args.val}
    for split, (kind, split_no) in SPLITS.items():
        images, labels = load_mnist(args.mnist, kind)
        by_class = [np.flatnonzero(labels == c) for c in range(10)]
        ids = []
        for i in range(counts[split]):
            rng = np.random.RandomState([SEED, split_no, i])
            rgb, label = scene(rng, images, by_class)
            name = f"fs_{split}_{i:04d}"
            Image.fromarray(rgb, "RGB").save(os.path.join(args.out, "JPEGImages", name + ".jpg"),
                                             quality=JPEG_QUALITY)
            png = Image.frombytes("P", (SIZE, SIZE), label.tobytes())
            png.putpalette(palette)
            png.save(os.path.join(args.out, "SegmentationClass", name + ".png"), optimize=False)
            ids.append(name)
        with open(os.path.join(args.out, "ImageSets", "Segmentation", split + ".txt"), "w", newline="\n") as f:
            f.write("".join(n + "\n" for n in ids))
    with open(os.path.join(args.out, "README.txt"), "w", newline="\n") as f:
        f.write(README.format(total=args.train + args.val, train=args.train, val=args.val, threshold=THRESHOLD,
                              seed=SEED))
    with open(os.path.join(args.out, "LICENSE.txt"), "w", newline="\n") as f:
        f.write(LICENSE)


if __name__ == "__main__":
    main()
