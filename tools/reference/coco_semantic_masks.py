"""Reference masks for SegNets' COCO reader, made by the COCO API's own C code.

Usage: python3 tools/reference/coco_semantic_masks.py OUT_DIR COCO_ROOT SPLIT_YEAR   (e.g. ... /tmp/coco val2017)

pycocotools is not packaged in Debian, so this compiles its C core (tools/reference/cocoapi/maskApi.c, copied from
cocodataset/cocoapi@8c9bcc3) with gcc and calls it through ctypes, following pycocotools' Python/Cython glue
(PythonAPI/pycocotools/_mask.pyx frPyObjects/frPoly/frBbox/frUncompressedRLE/decode, including their round trip
through the compressed string) and GluonCV's mask building (gluon-cv@5677756:gluoncv/data/mscoco/segmentation.py
_gen_seg_mask and _preprocess). Writes:
  anns/ANN_ID.bin     each annotation's binary mask (uint8, row-major H x W) as pycocotools decodes it
  masks/IMAGE_ID.bin  GluonCV's semantic mask of each image (uint8, row-major H x W)
  kept.txt            the image ids GluonCV's _preprocess keeps (more than 1000 labelled pixels), in order
"""
import ctypes
import json
import os
import subprocess
import sys

import numpy as np

out, root, split = sys.argv[1], sys.argv[2], sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))
lib_path = os.path.join(out, "libmaskapi.so")
subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", lib_path, os.path.join(here, "cocoapi", "maskApi.c"), "-lm"],
               check=True)
lib = ctypes.CDLL(lib_path)

siz = ctypes.c_ulong


class RLE(ctypes.Structure):
    _fields_ = [("h", siz), ("w", siz), ("m", siz), ("cnts", ctypes.POINTER(ctypes.c_uint))]


lib.rleInit.argtypes = [ctypes.POINTER(RLE), siz, siz, siz, ctypes.POINTER(ctypes.c_uint)]
lib.rleFrPoly.argtypes = [ctypes.POINTER(RLE), ctypes.POINTER(ctypes.c_double), siz, siz, siz]
lib.rleFrBbox.argtypes = [ctypes.POINTER(RLE), ctypes.POINTER(ctypes.c_double), siz, siz, siz]
lib.rleToString.argtypes = [ctypes.POINTER(RLE)]
lib.rleToString.restype = ctypes.c_void_p
lib.rleFrString.argtypes = [ctypes.POINTER(RLE), ctypes.c_char_p, siz, siz]
lib.rleDecode.argtypes = [ctypes.POINTER(RLE), ctypes.POINTER(ctypes.c_ubyte), siz]
libc = ctypes.CDLL(None)
libc.free.argtypes = [ctypes.c_void_p]


def to_string(r):
    # _mask.pyx _toString
    p = lib.rleToString(ctypes.byref(r))
    s = ctypes.string_at(p)
    libc.free(p)
    return {"size": [r.h, r.w], "counts": s}


def fr_poly(poly, h, w):
    # _mask.pyx frPoly
    objs = []
    for p in poly:
        arr = np.array(p, dtype=np.double, order="F")
        r = RLE()
        lib.rleFrPoly(ctypes.byref(r), arr.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), int(len(p) / 2), h, w)
        objs.append(to_string(r))
    return objs


def fr_bbox(bb, h, w):
    # _mask.pyx frBbox
    bb = np.ascontiguousarray(np.array(bb, dtype=np.double))
    assert bb.ndim == 2 and bb.shape[1] == 4
    objs = []
    for i in range(bb.shape[0]):
        r = RLE()
        lib.rleFrBbox(ctypes.byref(r), bb[i].ctypes.data_as(ctypes.POINTER(ctypes.c_double)), h, w, 1)
        objs.append(to_string(r))
    return objs


def fr_uncompressed(uc_rles, h, w):
    # _mask.pyx frUncompressedRLE
    objs = []
    for uc in uc_rles:
        cnts = np.array(uc["counts"], dtype=np.uint32)
        r = RLE()
        lib.rleInit(ctypes.byref(r), uc["size"][0], uc["size"][1], len(cnts),
                    cnts.ctypes.data_as(ctypes.POINTER(ctypes.c_uint)))
        objs.append(to_string(r))
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
        r = RLE()
        lib.rleFrString(ctypes.byref(r), s, obj["size"][0], obj["size"][1])
        buf = (ctypes.c_ubyte * (r.h * r.w))()
        lib.rleDecode(ctypes.byref(r), buf, 1)
        masks.append(np.frombuffer(buf, dtype=np.uint8).reshape((r.h, r.w), order="F"))
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
