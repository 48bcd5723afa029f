"""A tiny Pascal Context in both of its on-disk forms, with the labels the original tools give, for SegNets'
PascalContextSegmentation and PascalContextMatSegmentation tests. Debian's numpy, PIL (python3-pil) and scipy
(python3-scipy) under /usr/bin/python3.

    /usr/bin/python3 tools/reference/pascal_context_layout.py OUT_DIR
        -> OUT_DIR/VOCdevkit/VOC2010/
               JPEGImages/{id}.jpg                      PIL, random RGB
               trainval/{id}.mat                        scipy.io.savemat, uint16 LabelMap (H x W) of full-set labels
               labels.txt, 59_labels.txt                "N: name" lines (see below)
               SegmentationClassContext/{id}.png        8-bit grey ('L'), the converter's values
               ImageSets/SegmentationContext/{train,val}.txt
           OUT_DIR/expected.json: split -> [{id, h, w, raw, mask59, mask60}] (row-major; raw: the LabelMap)

The converted values are computed as open-mmlab/mmsegmentation@2b6a1aa:tools/dataset_converters/pascal_context.py
does (the 60 Detail category ids sorted, np.digitize(..., right=True) into 0..59; PyTorch-Encoding@ac74841
encoding/datasets/pcontext.py has the same table); that converter reads Detail.getMask, which holds the 59 classes'
ids and 0, so the raw LabelMap here is first reduced to those (every other label -> 0): that step is this script's
model of the Detail masks, not original code. mask60 is the converted value (mmseg PascalContextDataset,
reduce_zero_label=False); mask59 applies mmseg's reduce_zero_label (open-mmlab/mmsegmentation@0c87f7a:
mmseg/datasets/transforms/loading.py LoadAnnotations: 0 -> 255, minus 1, 254 -> 255).

labels.txt is synthetic but shaped like the real one: 459 lines "N: name"; the 59 class names sit at the Detail ids
the converter lists, in alphabetical order (as the real labels.txt has them: aeroplane 2, bag 9, ..., wood 458), and
the other 400 numbers get filler names. 59_labels.txt lists the 59 names in the official file's order (VOC's 20
first), which differs from the PNG value order on purpose.
"""
import json
import os
import sys

import numpy as np
import scipy.io
from PIL import Image

# the converter's _mapping, in its order
DETAIL_IDS = [
    0, 2, 259, 260, 415, 324, 9, 258, 144, 18, 19, 22, 23, 397, 25, 284,
    158, 159, 416, 33, 162, 420, 454, 295, 296, 427, 44, 45, 46, 308, 59,
    440, 445, 31, 232, 65, 354, 424, 68, 326, 72, 458, 34, 207, 80, 355,
    85, 347, 220, 349, 360, 98, 187, 104, 105, 366, 189, 368, 113, 115,
]

ALPHABETICAL = (
    "aeroplane bag bed bedclothes bench bicycle bird boat book bottle building bus cabinet car cat ceiling chair "
    "cloth computer cow cup curtain dog door fence floor flower food grass ground horse keyboard light motorbike "
    "mountain mouse person plate platform pottedplant road rock sheep shelves sidewalk sign sky snow sofa table "
    "track train tree truck tvmonitor wall water window wood").split()

OFFICIAL_59_ORDER = (
    "aeroplane bicycle bird boat bottle bus car cat chair cow table dog horse motorbike person pottedplant sheep sofa "
    "train tvmonitor bag bed bench book building cabinet ceiling cloth computer cup door fence floor flower food grass "
    "ground keyboard light mountain mouse curtain platform sign plate road rock shelves sidewalk sky snow bedclothes "
    "track tree truck wall water window wood").split()


def converted(detail_mask):
    """The converter's _class_to_index."""
    mapping = np.sort(np.array(DETAIL_IDS))
    key = np.array(range(len(mapping))).astype("uint8")
    values = np.unique(detail_mask)
    for v in values:
        assert v in mapping
    index = np.digitize(detail_mask.ravel(), mapping, right=True)
    return key[index].reshape(detail_mask.shape)


def reduce_zero_label(seg):
    seg = seg.copy()
    seg[seg == 0] = 255
    seg = seg - 1
    seg[seg == 254] = 255
    return seg


def main(out):
    assert len(ALPHABETICAL) == 59 and sorted(ALPHABETICAL) == ALPHABETICAL
    assert sorted(OFFICIAL_59_ORDER) == ALPHABETICAL
    voc = os.path.join(out, "VOCdevkit", "VOC2010")
    for sub in ["JPEGImages", "trainval", "SegmentationClassContext", os.path.join("ImageSets", "SegmentationContext")]:
        os.makedirs(os.path.join(voc, sub), exist_ok=True)

    class_ids = sorted(DETAIL_IDS)[1:]
    names = {n: "label%03d" % n for n in range(1, 460)}
    for detail_id, name in zip(class_ids, ALPHABETICAL):
        names[detail_id] = name
    with open(os.path.join(voc, "labels.txt"), "w") as f:
        f.writelines("%d: %s\n" % (n, names[n]) for n in range(1, 460))
    with open(os.path.join(voc, "59_labels.txt"), "w") as f:
        f.writelines("%d: %s\n" % (i + 1, n) for i, n in enumerate(OFFICIAL_59_ORDER))

    rng = np.random.RandomState(2014)
    others = [1, 3, 100, 233, 300, 457]          # full-set labels outside the 59; 459 only where set below
    splits = {"train": [("2008_000002", 7, 9), ("2008_000003", 5, 6), ("2010_000001", 11, 4)],
              "val": [("2008_000008", 6, 8), ("2009_000010", 9, 7)]}
    expected = {}
    sample = 0
    for split, items in splits.items():
        expected[split] = []
        for sid, h, w in items:
            pool = class_ids[(sample * 13) % 59:][:24] + class_ids[:3] + others + [0]
            raw = rng.choice(pool, size=(h, w)).astype(np.uint16)
            raw.flat[0] = class_ids[-1] if sample % 2 else class_ids[0]   # wood / aeroplane somewhere
            raw.flat[-1] = 459 if sample % 2 else 0                         # the last label: 2008_000003, 2008_000008
            scipy.io.savemat(os.path.join(voc, "trainval", sid + ".mat"), {"LabelMap": raw},
                             do_compression=(sample % 2 == 0), format="5")
            detail = np.where(np.isin(raw, class_ids), raw, 0)
            stored = converted(detail)
            Image.fromarray(stored).save(os.path.join(voc, "SegmentationClassContext", sid + ".png"))
            Image.fromarray(rng.randint(0, 256, size=(h, w, 3)).astype(np.uint8)).save(
                os.path.join(voc, "JPEGImages", sid + ".jpg"), quality=95)
            expected[split].append({
                "id": sid, "h": h, "w": w, "raw": [int(v) for v in raw.ravel()],
                "mask60": [int(v) for v in stored.ravel()],
                "mask59": [int(v) for v in reduce_zero_label(stored).ravel()],
            })
            sample += 1
        with open(os.path.join(voc, "ImageSets", "SegmentationContext", split + ".txt"), "w") as f:
            f.writelines(sid + "\n" for sid, _, _ in sorted(items))
    json.dump(expected, open(os.path.join(out, "expected.json"), "w"))


if __name__ == "__main__":
    os.makedirs(sys.argv[1], exist_ok=True)
    main(sys.argv[1])
