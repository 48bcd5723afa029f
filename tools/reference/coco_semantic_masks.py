"""Reference masks for SegNets' COCO reader, made the way pycocotools and GluonCV make them.

Usage: python3 tools/reference/coco_semantic_masks.py OUT_DIR COCO_ROOT SPLIT_YEAR   (e.g. ... /tmp/coco val2017)

pycocotools is not packaged in Debian. Its mask code is the C file common/maskApi.c of the COCO API
(https://github.com/cocodataset/cocoapi, commit 8c9bcc3cf640524c4c20a9c40e89cb6a2f2fa0e9, Simplified BSD licence);
this script does not include it: the functions it needs are transcribed below into Python, statement by statement,
each citing the lines of maskApi.c it follows, with C's integer conversions (truncating casts, 32-bit unsigned
arithmetic) written out; rleMerge is not needed (_gen_seg_mask ORs the decoded parts itself). The glue follows
pycocotools' Cython layer (PythonAPI/pycocotools/_mask.pyx frPyObjects/frPoly/frBbox/frUncompressedRLE/decode,
including their round trip through the compressed string) and GluonCV's mask building
(gluon-cv@5677756:gluoncv/data/mscoco/segmentation.py _gen_seg_mask and _preprocess).
Checked equal to the compiled original on 2026-11-23: this script and its previous version (which built maskApi.c
with gcc -O2 and called it through ctypes) gave byte-identical anns/*.bin, masks/*.bin and kept.txt on the 111
annotations / 8 images of tests/SegNets.Tests/Data/CocoSegmentationTests.cs, and on 876 further random annotations
(150 images of 1-120 px sides; polygons with repeated vertices and vertices outside the image, boxes, RLE).
Writes:
  anns/ANN_ID.bin     each annotation's binary mask (uint8, row-major H x W) as pycocotools decodes it
  masks/IMAGE_ID.bin  GluonCV's semantic mask of each image (uint8, row-major H x W)
  kept.txt            the image ids GluonCV's _preprocess keeps (more than 1000 labelled pixels), in order
"""
import json
import math
import os
import sys

import numpy as np

out, root, split = sys.argv[1], sys.argv[2], sys.argv[3]

# ---- maskApi.c, transcribed (cocodataset/cocoapi@8c9bcc3cf640524c4c20a9c40e89cb6a2f2fa0e9:common/maskApi.c) ----
# An RLE here is (h, w, counts): counts a Python list of ints that C holds as `uint` (32-bit unsigned); h and w are
# C's `siz` (unsigned long). Run lengths alternate 0s and 1s, starting with 0s, over the mask in column-major order.

U32 = 1 << 32
INT_MIN = -(1 << 31)


def c_int(value):
    """C's (int) cast of a double: truncation toward zero. Out of range or NaN is undefined behaviour in C; x86-64
    (cvttsd2si, what gcc emits) gives INT_MIN, which is what the compiled original sees, so that is returned here."""
    if math.isnan(value) or not (-2147483649.0 < value < 2147483648.0):
        return INT_MIN
    return int(value)  # int() of a float truncates toward zero, like the C cast


def c_int32(n):
    """An integer taken to C's 32-bit int (wrapping, as gcc does): line 194's (int)(h), line 224's int shift."""
    n %= U32
    return n - U32 if n >= (1 << 31) else n


def as_uint(value):
    """C's (uint) conversion / uint arithmetic: modulo 2**32."""
    return value % U32


def rle_fr_poly(xy, k, h, w):
    """rleFrPoly, maskApi.c lines 162-202: the polygon's k vertices xy = (x0, y0, x1, y1, ...) to RLE."""
    scale = 5.0
    # lines 165-167: vertices scaled by 5 and rounded by +.5 and a truncating cast; the outline is closed
    xs_up = [c_int(scale * xy[2 * j] + 0.5) for j in range(k)]
    ys_up = [c_int(scale * xy[2 * j + 1] + 0.5) for j in range(k)]
    xs_up += xs_up[:1]  # (with k == 0 C reads an unset x[0] here, but no edge then uses it)
    ys_up += ys_up[:1]
    # lines 168-181: walk each edge one step at a time along its longer axis (in increasing order of that axis,
    # swapping the ends if needed, but emitting the points from the edge's real start to its end), rounding the other
    # coordinate with +.5 and a truncating cast. (Line 168 only sizes the buffers; Python lists grow.)
    u, v = [], []
    for j in range(k):
        x0, x1, y0, y1 = xs_up[j], xs_up[j + 1], ys_up[j], ys_up[j + 1]
        dx, dy = abs(x1 - x0), abs(y0 - y1)
        flip = (dx >= dy and x0 > x1) or (dx < dy and y0 > y1)
        if flip:
            x0, x1 = x1, x0
            y0, y1 = y1, y0
        if dx >= dy:
            # a repeated vertex (dx == dy == 0) makes 0/0 in C: NaN, and the cast below then gives INT_MIN
            slope = (y1 - y0) / dx if dx != 0 else math.nan
            for d in range(dx + 1):
                t = dx - d if flip else d
                u.append(t + x0)
                v.append(c_int(y0 + slope * t + 0.5))
        else:
            slope = (x1 - x0) / dy
            for d in range(dy + 1):
                t = dy - d if flip else d
                v.append(t + y0)
                u.append(c_int(x0 + slope * t + 0.5))
    # lines 183-191: where the walk changes column, take the boundary point back to pixel units; keep it only if it
    # lands exactly on a pixel column inside the image; clamp its row to [0, h] and round it up
    w_last = float((w - 1) % (1 << 64))  # w-1 in C's unsigned long, compared as a double
    col, row = [], []
    for j in range(1, len(u)):
        if u[j] == u[j - 1]:
            continue
        xd = float(u[j] if u[j] < u[j - 1] else u[j] - 1)
        xd = (xd + 0.5) / scale - 0.5
        if math.floor(xd) != xd or xd < 0 or xd > w_last:
            continue
        yd = float(v[j] if v[j] < v[j - 1] else v[j - 1])
        yd = (yd + 0.5) / scale - 0.5
        if yd < 0:
            yd = 0.0
        elif yd > h:
            yd = float(h)
        yd = math.ceil(yd)
        col.append(c_int(xd))
        row.append(c_int(yd))
    # lines 193-197: column-major positions of the boundary points (int arithmetic, then (uint)), plus the end h*w;
    # sorted as unsigned and turned into differences
    pos = [as_uint(c * c_int32(h) + r) for c, r in zip(col, row)]
    pos.append(as_uint(h * w))
    pos.sort()
    prev = 0
    for j in range(len(pos)):
        pos[j], prev = as_uint(pos[j] - prev), pos[j]
    # lines 198-201: runs from the differences; a zero difference (two boundary points at the same place) cancels:
    # it is dropped and the difference after it is added to the previous run
    runs = [pos[0]]
    j = 1
    while j < len(pos):
        if pos[j] > 0:
            runs.append(pos[j])
            j += 1
        else:
            j += 1
            if j < len(pos):
                runs[-1] = as_uint(runs[-1] + pos[j])
                j += 1
    return (h, w, runs)


def rle_fr_bbox(bb, h, w):
    """rleFrBbox, maskApi.c lines 149-156: the box (x, y, bw, bh) as the polygon of its four corners."""
    x_lo, y_lo = bb[0], bb[1]
    x_hi, y_hi = x_lo + bb[2], y_lo + bb[3]
    return rle_fr_poly([x_lo, y_lo, x_lo, y_hi, x_hi, y_hi, x_hi, y_lo], 4, h, w)


def rle_to_string(rle):
    """rleToString, maskApi.c lines 204-216: each count (from the fourth on, minus the count two before it, as a
    signed long) in 5-bit groups, low first, as chars '0' + group, with 0x20 set on all but the last char of a number;
    a number ends once the rest is all sign (0 or -1, judged by bit 0x10 of the group just written)."""
    _, _, counts = rle
    chars = []
    for i, count in enumerate(counts):
        x = count - counts[i - 2] if i > 2 else count
        more = True
        while more:
            group = x & 0x1F
            x >>= 5  # arithmetic shift, as for C's signed long
            more = (x != -1) if group & 0x10 else (x != 0)
            if more:
                group |= 0x20
            chars.append(group + 48)
    return bytes(chars)


def rle_fr_string(s, h, w):
    """rleFrString, maskApi.c lines 218-231: the inverse of rle_to_string. The groups are shifted in C's 32-bit int
    (then widened to long); a number of more than six chars would shift by 32 or more, undefined in C and never
    reached by masks below 2**30 pixels, so it is refused here."""
    s = s.split(b"\0")[0]  # C reads up to the NUL
    counts = []
    p = 0
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            c = s[p] - 48
            c = c - 256 if c >= 128 else c  # C's char is signed
            if 5 * k >= 32:
                raise ValueError("compressed RLE number longer than C's int shift allows")
            x |= c_int32((c & 0x1F) << (5 * k))
            more = (c & 0x20) != 0
            p += 1
            k += 1
            if not more and (c & 0x10):
                if 5 * k >= 32:
                    raise ValueError("compressed RLE number longer than C's int shift allows")
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(as_uint(x))
    return (h, w, counts)


def rle_decode(rle):
    """rleDecode, maskApi.c lines 43-47: runs of 0 and 1 in turn, column-major. The buffer is h*w zeros (pycocotools
    leaves any rest uninitialised; the C version of this script zeroed it); runs past h*w would overrun it in C."""
    h, w, counts = rle
    flat = np.zeros(h * w, dtype=np.uint8)
    pos, value = 0, 0
    for count in counts:
        if pos + count > h * w:
            raise ValueError("RLE runs longer than h*w")
        flat[pos:pos + count] = value
        pos += count
        value = 1 - value
    return flat.reshape((h, w), order="F")


# ---- pycocotools _mask.pyx glue, as the C version of this script had it ----


def to_string(r):
    # _mask.pyx _toString
    return {"size": [r[0], r[1]], "counts": rle_to_string(r)}


def fr_poly(poly, h, w):
    # _mask.pyx frPoly
    objs = []
    for p in poly:
        arr = np.array(p, dtype=np.double, order="F")
        objs.append(to_string(rle_fr_poly([float(c) for c in arr], int(len(p) / 2), h, w)))
    return objs


def fr_bbox(bb, h, w):
    # _mask.pyx frBbox
    bb = np.ascontiguousarray(np.array(bb, dtype=np.double))
    assert bb.ndim == 2 and bb.shape[1] == 4
    return [to_string(rle_fr_bbox([float(c) for c in bb[i]], h, w)) for i in range(bb.shape[0])]


def fr_uncompressed(uc_rles, h, w):
    # _mask.pyx frUncompressedRLE (rleInit, maskApi.c lines 14-17, just copies the counts)
    objs = []
    for uc in uc_rles:
        cnts = np.array(uc["counts"], dtype=np.uint32)
        objs.append(to_string((uc["size"][0], uc["size"][1], [int(c) for c in cnts])))
    return objs


def fr_py_objects(pyobj, h, w):
    # _mask.pyx frPyObjects, the branches COCO annotations reach
    if type(pyobj) == list and len(pyobj[0]) == 4:
        return fr_bbox(pyobj, h, w)
    if type(pyobj) == list and len(pyobj[0]) > 4:
        return fr_poly(pyobj, h, w)
    if type(pyobj) == dict and "counts" in pyobj and "size" in pyobj:
        return fr_uncompressed([pyobj], h, w)[0]
    raise Exception("input type is not supported.")


def decode(rle_objs):
    # _mask.pyx decode (+ _frString): (h, w, n) in Fortran order, or (h, w) for a single object as np.array gives
    single = type(rle_objs) == dict
    objs = [rle_objs] if single else rle_objs
    masks = []
    for obj in objs:
        s = obj["counts"] if isinstance(obj["counts"], bytes) else obj["counts"].encode()
        masks.append(rle_decode(rle_fr_string(s, obj["size"][0], obj["size"][1])))
    stacked = np.stack(masks, axis=2)
    return stacked[:, :, 0] if single else stacked


def ann_mask(segm, h, w):
    if type(segm) == dict and isinstance(segm["counts"], str):
        # compressed RLE: pycocotools coco.py annToRLE passes it to decode as is (GluonCV's frPyObjects would fail)
        return decode(segm)
    return decode(fr_py_objects(segm, h, w))


CAT_LIST = [0, 5, 2, 16, 9, 44, 6, 3, 17, 62, 21, 67, 18, 19, 4, 1, 64, 20, 63, 7, 72]

with open(os.path.join(root, "annotations", f"instances_{split}.json")) as f:
    data = json.load(f)
imgs = {img["id"]: img for img in data["images"]}
img_to_anns = {}
for ann in data["annotations"]:
    img_to_anns.setdefault(ann["image_id"], []).append(ann)

os.makedirs(os.path.join(out, "anns"), exist_ok=True)
os.makedirs(os.path.join(out, "masks"), exist_ok=True)
kept = []
for img_id, meta in imgs.items():
    h, w = meta["height"], meta["width"]
    mask = np.zeros((h, w), dtype=np.uint8)
    for instance in img_to_anns.get(img_id, []):
        m = ann_mask(instance["segmentation"], h, w)
        binary = (np.sum(m, axis=2) > 0).astype(np.uint8) if len(m.shape) == 3 else m
        binary.tofile(os.path.join(out, "anns", f"{instance['id']}.bin"))
        cat = instance["category_id"]
        if cat in CAT_LIST:
            c = CAT_LIST.index(cat)
        else:
            continue
        if len(m.shape) < 3:
            mask[:, :] += (mask == 0) * (m * c)
        else:
            mask[:, :] += (mask == 0) * (((np.sum(m, axis=2)) > 0) * c).astype(np.uint8)
    np.ascontiguousarray(mask).tofile(os.path.join(out, "masks", f"{img_id}.bin"))
    if (mask > 0).sum() > 1000:
        kept.append(img_id)
with open(os.path.join(out, "kept.txt"), "w") as f:
    f.write("".join(f"{i}\n" for i in kept))
