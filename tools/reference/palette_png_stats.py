"""Reads every PNG of DIR with PIL and writes OUT_DIR/stats.json: for each file its PIL mode, size, the histogram of
its stored pixel values (the palette indices for mode 'P') and its palette (RGB triples).

Usage: python3 tools/reference/palette_png_stats.py OUT_DIR DIR
The fashion-scenes tests use it to check the label PNGs with PIL, the reader that wrote them.
"""
import json
import os
import sys

import numpy as np
from PIL import Image

out, directory = sys.argv[1], sys.argv[2]
stats = {}
for name in sorted(os.listdir(directory)):
    if not name.endswith(".png"):
        continue
    with Image.open(os.path.join(directory, name)) as im:
        values = np.asarray(im)
        palette = im.getpalette() if im.mode == "P" else None
        stats[name] = {
            "mode": im.mode,
            "width": im.width,
            "height": im.height,
            "histogram": np.bincount(values.ravel(), minlength=256).tolist() if values.dtype == np.uint8 else None,
            "palette": palette,
        }
with open(os.path.join(out, "stats.json"), "w") as f:
    json.dump(stats, f)
