"""Fixtures for SegNets' .npy/.npz reader, written by the real numpy (Debian's python3-numpy under /usr/bin/python3).

    /usr/bin/python3 tools/reference/numpy_fixtures.py OUT_DIR

Writes, with numpy's own writers (np.save, np.savez, np.savez_compressed, numpy.lib.format.write_array):
  ARRAY.npy for every array in arrays() (name = file stem), v2.npy / v3.npy (format versions 2.0 and 3.0),
  stored.npz (np.savez: ZIP_STORED), compressed.npz (np.savez_compressed: ZIP_DEFLATED) holding every array,
  with_none.npz (a None value, as chainer.serializers.save_npz writes it: an object array holding a pickle),
  empty.npz (np.savez of nothing), u8_big.npy (a uint64 above int64's range), object.npy (np.save of None),
  duplicate.npz (two members named a.npy, written with zipfile since numpy never does that),
and expected.json: name -> {descr, shape, values (C order, flattened)} for every array.
"""
import json
import os
import sys
import warnings
import zipfile

import numpy as np


def arrays():
    a24 = np.arange(24).reshape(2, 3, 4)
    return {
        "f4": (a24 * 0.5 - 3).astype("<f4"),
        "f2": (a24 * 0.25 - 2).astype("<f2"),
        "f8": (a24 / 3.0).astype("<f8"),
        "i1": np.array([-128, -1, 0, 1, 127], dtype="i1"),
        "i2": np.array([-32768, -2, 0, 3, 32767], dtype="<i2"),
        "i4": np.array([-2147483648, -5, 0, 7, 2147483647], dtype="<i4"),
        "i8": np.array([-9007199254740992, -9, 0, 11, 9007199254740992], dtype="<i8"),
        "u1": np.array([0, 1, 128, 255], dtype="u1"),
        "u2": np.array([0, 1, 32768, 65535], dtype="<u2"),
        "u4": np.array([0, 1, 2147483648, 4294967295], dtype="<u4"),
        "u8": np.array([0, 1, 4294967296, 9007199254740992], dtype="<u8"),
        "b1": np.array([[True, False, True], [False, False, True]]),
        "be_f4": (a24 * 0.5 - 3).astype(">f4"),
        "be_f8": (a24 / 7.0).astype(">f8"),
        "be_i8": np.array([-9007199254740992, -1, 2, 9007199254740992], dtype=">i8"),
        "be_u2": np.array([0, 1, 258, 65535], dtype=">u2"),
        "be_i2": np.array([-32768, -2, 258, 32767], dtype=">i2"),
        "fortran_f4": np.asfortranarray((a24 * 1.5).astype("<f4")),
        "fortran_2d": np.asfortranarray(np.arange(6, dtype="<i4").reshape(2, 3)),
        "scalar_f4": np.array(3.5, dtype="<f4"),
        "scalar_i8": np.array(100, dtype="<i8"),
        "vector": np.arange(5, dtype="<f4"),
        "empty": np.zeros((0, 3), dtype="<f4"),
        "conv_W": (np.arange(4 * 3 * 3 * 3) * 0.01 - 0.5).astype("<f4").reshape(4, 3, 3, 3),
    }


def main(out):
    os.makedirs(out, exist_ok=True)
    arrs = arrays()
    expected = {}
    for name, a in arrs.items():
        np.save(os.path.join(out, name + ".npy"), a)
        assert a.dtype.str == np.load(os.path.join(out, name + ".npy")).dtype.str
        expected[name] = {"descr": a.dtype.str, "shape": list(a.shape),
                          "values": [v.item() for v in np.ascontiguousarray(a).reshape(-1)]}
    assert np.isfortran(arrs["fortran_f4"])
    for version in ((2, 0), (3, 0)):
        with open(os.path.join(out, "v{}.npy".format(version[0])), "wb") as f:
            np.lib.format.write_array(f, arrs["conv_W"], version=version)
    np.savez(os.path.join(out, "stored.npz"), **arrs)
    np.savez_compressed(os.path.join(out, "compressed.npz"), **arrs)
    # chainer.serializers.save_npz: numpy.savez_compressed(file, **target) where target holds None for unset links
    np.savez_compressed(os.path.join(out, "with_none.npz"), **{"conv/W": arrs["conv_W"], "conv/b": None,
                                                               "bn/N": np.asarray(0)})
    np.savez(os.path.join(out, "empty.npz"))
    np.save(os.path.join(out, "u8_big.npy"), np.array([1, 2 ** 64 - 1], dtype="<u8"))
    np.save(os.path.join(out, "object.npy"), np.asanyarray(None), allow_pickle=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns "Duplicate name"
        with zipfile.ZipFile(os.path.join(out, "duplicate.npz"), "w") as z:
            for value in (arrs["vector"], arrs["f4"]):
                with z.open("a.npy", "w") as f:
                    np.lib.format.write_array(f, value)
    with zipfile.ZipFile(os.path.join(out, "compressed.npz")) as z:
        methods = {i.compress_type for i in z.infolist()}
        assert methods == {zipfile.ZIP_DEFLATED}, methods
    with zipfile.ZipFile(os.path.join(out, "stored.npz")) as z:
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_STORED}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)
    print("numpy", np.__version__, ":", len(arrs), "arrays")


if __name__ == "__main__":
    main(sys.argv[1])
