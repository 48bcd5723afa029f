"""Writes MXNet `.params` files (the NDArray list format of `mx.nd.save` / Gluon `save_parameters`) byte for byte,
without MXNet, for SegNets' MXNet reader tests; and, run as a script, the fixture corpus those tests read.

MXNet cannot run here, so this writer follows the C++ that produces the files, read at
apache/mxnet@b84609d3fc73d20929c114eab95faaa56e6c5ede (the same constants and layout as tag 1.9.0):
  * src/ndarray/ndarray.cc L2128-2138 (`kMXAPINDArrayListMagic` 0x112, list `NDArray::Save`): u64 magic, u64 reserved 0,
    then dmlc's vector<NDArray> and vector<string>.
  * dmlc/dmlc-core@5295de94:include/dmlc/serializer.h L154-170 (ComposeVectorHandler: u64 count, then each element's
    own Save) and L176-197 (NativePODStringHandler: u64 length, then the bytes); `mx.nd.save` of a list passes no
    keys, so the names vector has count 0 (python/mxnet/ndarray/utils.py L222-271, src/c_api/c_api.cc
    L2236-2258 `MXNDArrayLegacySave`).
  * src/ndarray/ndarray.cc L1855-1863: magics V1 0xF993FAC8 (int64 TShape), V2 0xF993FAC9 (storage type),
    V3 0xF993FACA (np shape semantics).
  * src/ndarray/ndarray.cc L1865-1940 (`NDArray::Save`): u32 magic (V3 under np shape, else V2); i32 stype; for
    sparse storage (num_aux_data > 0) the storage shape; the shape; `if (is_none()) return;`; the context; i32
    type_flag; for sparse, per aux array i32 aux type_flag + aux shape; the data (prod(storage shape) elements for
    sparse, C order); the aux data.
  * include/mxnet/tuple.h L738-748 (`Tuple::Save`): i32 ndim (`int ndim_`, L392), then ndim x dim_t = int64
    (include/mxnet/c_api.h L69).
  * include/mxnet/base.h L147-150 (`Context::Save`): i32 dev_type (1 cpu, 2 gpu, 3 pinned, 5 shared), i32 dev_id.
  * 3rdparty/mshadow/mshadow/base.h L351-365: type_flag 0 f32, 1 f64, 2 f16, 3 u8, 4 i32, 5 i8, 6 i64, 7 bool, 8 i16,
    9 u16, 10 u32, 11 u64, 12 bf16.
  * Older arrays, which `NDArray::LegacyLoad` (L1942-1996) still reads: V1 = u32 V1 magic, no stype, i32 ndim + int64
    dims, context, type_flag, data; pre-V1 = no magic at all: the first u32 IS ndim, then ndim x u32 dims, context,
    type_flag, data.
All little-endian (x86), no padding. `write_params` writes what MXNet 1.x writes (V2 arrays); `version=` and
`sparse_rows=` produce the other layouts MXNet's loader accepts.

    /usr/bin/python3 tools/reference/mxnet_params_writer.py OUT_DIR

OUT_DIR gets (expected.json: for every file, every key -> dtype, shape, values row-major as float):
  dict.params      V2, names: every dtype (f32 f64 f16 u8 i32 i8 i64 bool i16 u16 u32 u64 bf16), ndim 1..5,
                   an empty (2, 0) array and an unset (none) array
  prefixed.params  V2, `arg:`/`aux:` names as symbolic `export` writes them
  list.params      V2, a list save: no names
  v1.params        V1 arrays;  legacy.params: pre-V1 arrays;  np_shape.params: V3 arrays incl. a 0-d scalar
  sparse.params    a row_sparse array (stype 1), which the dense-only reader must refuse
"""
import json
import os
import struct
import sys

import numpy as np
import torch

LIST_MAGIC = 0x112
V1_MAGIC, V2_MAGIC, V3_MAGIC = 0xF993FAC8, 0xF993FAC9, 0xF993FACA
TYPE_FLAGS = {np.dtype(np.float32): 0, np.dtype(np.float64): 1, np.dtype(np.float16): 2, np.dtype(np.uint8): 3,
              np.dtype(np.int32): 4, np.dtype(np.int8): 5, np.dtype(np.int64): 6, np.dtype(np.bool_): 7,
              np.dtype(np.int16): 8, np.dtype(np.uint16): 9, np.dtype(np.uint32): 10, np.dtype(np.uint64): 11}
BF16 = 12
CPU = 1


class Array:
    """An array as MXNet holds it: C-order bytes, shape, type_flag. numpy has no bfloat16: pass a torch tensor."""

    def __init__(self, value):
        if isinstance(value, torch.Tensor) and value.dtype == torch.bfloat16:
            self.type_flag = BF16
            self.shape = tuple(value.shape)
            self.data = value.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            value = np.asarray(value)
            self.type_flag = TYPE_FLAGS[value.dtype]
            self.shape = value.shape
            self.data = np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<")).tobytes()


def _shape(dims, dim_format="<q"):
    # Tuple::Save: i32 ndim, then the dims (int64; pre-V1 files: u32)
    return struct.pack("<i", len(dims)) + b"".join(struct.pack(dim_format, d) for d in dims)


def ndarray_bytes(value, version="v2", sparse_rows=None):
    """One `NDArray::Save` record. value None = an unset (none) array: shape with ndim 0 (-1 under V3), nothing more."""
    if value is None:
        magic = {"v2": V2_MAGIC, "v3": V3_MAGIC}[version]
        return struct.pack("<Ii", magic, 0) + (struct.pack("<i", -1) if version == "v3" else _shape(()))
    a = Array(value)
    context = struct.pack("<ii", CPU, 0)
    if version == "legacy":
        # pre-V1: no magic; LegacyTShapeLoad reads the first u32 as ndim and u32 dims
        return (struct.pack("<I", len(a.shape)) + b"".join(struct.pack("<I", d) for d in a.shape) + context +
                struct.pack("<i", a.type_flag) + a.data)
    if version == "v1":
        return struct.pack("<I", V1_MAGIC) + _shape(a.shape) + context + struct.pack("<i", a.type_flag) + a.data
    magic = {"v2": V2_MAGIC, "v3": V3_MAGIC}[version]
    if sparse_rows is not None:
        # row_sparse (stype 1, one aux array: the int64 row indices); data = the stored rows only
        rows = np.asarray(sparse_rows, dtype="<i8")
        stored = Array(np.asarray(value)[rows])
        return (struct.pack("<Ii", magic, 1) + _shape(stored.shape) + _shape(a.shape) + context +
                struct.pack("<i", a.type_flag) + struct.pack("<i", 6) + _shape(rows.shape) + stored.data + rows.tobytes())
    return struct.pack("<Ii", magic, 0) + _shape(a.shape) + context + struct.pack("<i", a.type_flag) + a.data


def params_bytes(arrays, names=True, version="v2", sparse=None):
    """The list format. arrays: dict name -> array (or a list: saved without names). sparse: name -> stored rows."""
    items = list(arrays.items()) if isinstance(arrays, dict) else [(None, v) for v in arrays]
    out = [struct.pack("<QQQ", LIST_MAGIC, 0, len(items))]
    for key, value in items:
        out.append(ndarray_bytes(value, version, (sparse or {}).get(key)))
    keys = [k for k, _ in items] if names and isinstance(arrays, dict) else []
    out.append(struct.pack("<Q", len(keys)))
    for k in keys:
        raw = k.encode("utf-8")
        out.append(struct.pack("<Q", len(raw)) + raw)
    return b"".join(out)


def write_params(path, arrays, **kwargs):
    with open(path, "wb") as f:
        f.write(params_bytes(arrays, **kwargs))


def describe(value):
    if value is None:
        return {"dtype": "float32", "shape": [0], "values": []}
    if isinstance(value, torch.Tensor):
        return {"dtype": "bfloat16", "shape": list(value.shape), "values": value.double().reshape(-1).tolist()}
    value = np.asarray(value)
    return {"dtype": value.dtype.name, "shape": list(value.shape), "values": value.astype(np.float64).reshape(-1).tolist()}


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261124)
    every = {
        "conv.weight": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
        "fc.bias": rng.standard_normal(7).astype(np.float64),
        "half": rng.standard_normal((2, 3)).astype(np.float16),
        "bytes": np.array([0, 1, 127, 128, 255], dtype=np.uint8),
        "ints": np.array([[-2147483648, 2147483647], [0, -1]], dtype=np.int32),
        "small": np.array([-128, -1, 0, 127], dtype=np.int8),
        "longs": (np.arange(-3, 3, dtype=np.int64) * 1000000007),
        "mask": np.array([True, False, True]),
        "shorts": np.array([-32768, 32767], dtype=np.int16),
        "ushorts": np.array([0, 65535], dtype=np.uint16),
        "uints": np.array([0, 4294967295], dtype=np.uint32),
        "ulongs": np.array([0, 2 ** 53], dtype=np.uint64),
        "brain": torch.tensor([[1.5, -2.25], [0.0078125, 3e38]], dtype=torch.bfloat16),
        "five.d": rng.standard_normal((1, 2, 1, 2, 3)).astype(np.float32),
        "empty": np.zeros((2, 0), dtype=np.float32),
        "unset": None,
    }
    files = {}
    files["dict.params"] = (every, {})
    prefixed = {"arg:conv0_weight": every["conv.weight"], "arg:conv0_bias": every["fc.bias"].astype(np.float32)[:4],
                "aux:bn0_running_mean": np.arange(4, dtype=np.float32)}
    files["prefixed.params"] = (prefixed, {})
    files["list.params"] = (list(every.values())[:3], {"names": False})
    plain = {k: every[k] for k in ("conv.weight", "ints", "longs", "mask", "empty")}
    files["v1.params"] = (plain, {"version": "v1"})
    files["legacy.params"] = (plain, {"version": "legacy"})
    files["np_shape.params"] = ({"scalar": np.array(2.5, dtype=np.float32), "count": np.array(42, dtype=np.int64),
                                 "w": every["conv.weight"], "unset": None}, {"version": "v3"})
    files["sparse.params"] = ({"dense": every["ints"], "embedding": rng.standard_normal((5, 3)).astype(np.float32)},
                              {"sparse": {"embedding": [1, 3]}})
    expected = {}
    for name, (arrays, kwargs) in files.items():
        write_params(os.path.join(out, name), arrays, **kwargs)
        items = arrays.items() if isinstance(arrays, dict) else ((str(i), v) for i, v in enumerate(arrays))
        expected[name] = {k.split(":", 1)[-1]: describe(v) for k, v in items}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)
    print(f"{len(files)} .params files in {out}")


if __name__ == "__main__":
    main(sys.argv[1])
