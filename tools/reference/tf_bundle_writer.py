"""Writes TensorFlow V2 checkpoints (tensor bundles) byte for byte as TensorFlow does, without TensorFlow.

    /usr/bin/python3 tools/reference/tf_bundle_writer.py OUT_DIR

There is no TensorFlow on the machines that run SegNets' tests, so this script re-states, in numpy, what TF's
BundleWriter and its LevelDB-derived TableBuilder put on disk. It follows these sources (read, not copied):

  tensorflow/tensorflow@00f0938a tensorflow/core/util/tensor_bundle/tensor_bundle.cc
      BundleWriter::Add        entry = {dtype, shape, shard_id 0, offset, size, crc32c = Mask(crc of the bytes)};
                               raw row-major bytes appended; PadAlignment() zero-pads to options.data_alignment
                               (default 1: no padding)
      WriteStringTensor        DT_STRING: varint64 lengths, fixed32 Mask(crc of the lengths as uint32), bytes;
                               the entry crc covers the uint32 lengths, the length checksum and the bytes
      BundleWriter::Finish     table with compression = kNoCompression; header entry key "" =
                               BundleHeaderProto{num_shards 1, endianness LITTLE, version{producer 1}}, then the
                               entries in std::map (byte-wise sorted) order
  tensorflow/tensorflow@06f55f76 tensorflow/core/util/tensor_bundle/naming.cc   "%s.index", "%s.data-%05d-of-%05d"
  tensorflow/tensorflow@1ae86a2a tensorflow/core/protobuf/tensor_bundle.proto   field numbers (proto3: zero scalars
                               are not serialized; set sub-messages are, even when empty)
  tensorflow/tensorflow@1d03228d tensorflow/core/lib/io/table_builder.cc
      TableBuilder::Add        flush first if key+value >= 2 * block_size (TF's kOverlyLargeBlockRatio); the index
                               entry of a finished block is emitted when the next key arrives, keyed by
                               FindShortestSeparator(last_key, key); flush once CurrentSizeEstimate() >= block_size
      WriteRawBlock            block bytes + trailer {type byte, fixed32 Mask(crc32c(block bytes + type byte))}
      Finish                   flush, empty metaindex block, index block (last key: FindShortSuccessor), footer
  tensorflow/tensorflow@5938c664 tensorflow/core/lib/io/block_builder.cc   entries {varint32 shared, varint32
                               non_shared, varint32 value_size, key delta, value}; a restart (shared = 0) every
                               block_restart_interval keys; trailer fixed32 restarts[], fixed32 count
  tensorflow/tensorflow@11461ab3 tensorflow/core/lib/io/table_options.h    block_size 262144, restart interval 16
                               (the index block uses 1: table_builder.cc Rep::Rep)
  tensorflow/tensorflow@1d03228d tensorflow/core/lib/io/format.cc          Footer::EncodeTo: two varint64 handles,
                               zero-padded to 40 bytes, magic 0xdb4775248b80fb57 as two fixed32 (low, high)
  google/leveldb@78a352f4 util/crc32c.h:22-37  Mask = rotate right 15, + 0xa282ead8

OUT_DIR gets one folder per fixture, each holding model.ckpt.index, model.ckpt.data-NNNNN-of-MMMMM and
expected.json ({"tensors": {name: {dtype, shape, values}}, "skipped": [names], "table": {data_blocks, restarts},
"transforms": {name: numpy's OIHW shape and values of each conv / depthwise kernel}}):
  dtypes/       every numeric dtype SegNets reads, a scalar, an empty tensor, DeepLab-like names, global_step,
                and a DT_STRING _CHECKPOINTABLE_OBJECT_GRAPH (skipped by the reader)
  many/         300 small tensors, block_size 2048 and data_alignment 8: many data blocks, restarts, padding
  sharded/      two data shards (num_shards 2), as MergeBundles leaves a sharded save
  big_endian/   endianness BIG, tensor bytes big-endian (the crc is over the bytes as stored)
and, for the bad-input tests, one-defect bundles: bad_dtype/ (dtype 99), slices/ (a partitioned variable),
snappy/ (data blocks flagged Snappy, crc valid), beyond/ (offset + size past the shard's end).
"""
import json
import os
import struct
import sys

import numpy as np

# ---------------------------------------------------------------- CRC32C (Castagnoli, reflected 0x82F63B78)

_CRC_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data, crc=0):
    """crc32c::Extend(crc, data): the running value is pre- and post-inverted as in LevelDB util/crc32c.cc."""
    c = crc ^ 0xFFFFFFFF
    table = _CRC_TABLE
    for b in bytes(data):
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def mask(crc):
    """leveldb util/crc32c.h:29-32: rotate right by 15 bits and add a constant."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


# ---------------------------------------------------------------- varints and protobuf (proto3) encoding

def varint(v):
    if v < 0:
        v &= (1 << 64) - 1  # int64 negatives are 10-byte varints on the wire
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value) if value else b""  # proto3 leaves zero scalars out


def field_bytes(number, payload):
    return varint((number << 3) | 2) + varint(len(payload)) + payload


def field_fixed32(number, value):
    return varint((number << 3) | 5) + struct.pack("<I", value) if value else b""


def shape_proto(shape):
    # TensorShapeProto: repeated Dim dim = 2; Dim { int64 size = 1; string name = 2; }
    return b"".join(field_bytes(2, field_varint(1, d)) for d in shape)


def entry_proto(dtype, shape, shard_id, offset, size, crc, slices=()):
    # BundleEntryProto fields in number order, as C++ SerializeAsString writes them.
    return (field_varint(1, dtype) + field_bytes(2, shape_proto(shape)) + field_varint(3, shard_id)
            + field_varint(4, offset) + field_varint(5, size) + field_fixed32(6, crc)
            + b"".join(field_bytes(7, s) for s in slices))


def header_proto(num_shards, big_endian):
    version = field_varint(1, 1)  # VersionDef{producer = kTensorBundleVersion = 1}, min_consumer 0 omitted
    return field_varint(1, num_shards) + field_varint(2, 1 if big_endian else 0) + field_bytes(3, version)


# ---------------------------------------------------------------- LevelDB table (TF's table_builder.cc)

def find_shortest_separator(start, limit):
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i >= n:
        return start  # one is a prefix of the other: keep start
    b = start[i]
    if b < 0xFF and b + 1 < limit[i]:
        return start[:i] + bytes([b + 1])
    return start


def find_short_successor(key):
    for i, b in enumerate(key):
        if b != 0xFF:
            return key[:i] + bytes([b + 1])
    return key


class BlockBuilder:
    def __init__(self, restart_interval):
        self.interval = restart_interval
        self.reset()

    def reset(self):
        self.buf = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last_key = b""

    def empty(self):
        return len(self.buf) == 0

    def size_estimate(self):
        return len(self.buf) + 4 * len(self.restarts) + 4

    def add(self, key, value):
        shared = 0
        if self.counter < self.interval:
            n = min(len(self.last_key), len(key))
            while shared < n and self.last_key[shared] == key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.counter = 0
        self.buf += varint(shared) + varint(len(key) - shared) + varint(len(value))
        self.buf += key[shared:] + value
        self.last_key = bytes(key)
        self.counter += 1

    def finish(self):
        return bytes(self.buf) + b"".join(struct.pack("<I", r) for r in self.restarts) \
            + struct.pack("<I", len(self.restarts))


class TableBuilder:
    def __init__(self, f, block_size=262144, restart_interval=16, block_type=0):
        self.f = f
        self.block_size = block_size
        self.offset = 0
        self.data = BlockBuilder(restart_interval)
        self.index = BlockBuilder(1)
        self.last_key = b""
        self.entries = 0
        self.pending = None
        self.block_type = block_type  # data blocks: 0 = kNoCompression; 1 flags Snappy on uncompressed bytes (a bad file)
        self.data_blocks = 0
        self.restarts = 0

    def add(self, key, value):
        if self.entries > 0:
            assert key > self.last_key
            if len(key) + len(value) >= 2 * self.block_size:
                self.flush()
        if self.pending is not None:
            self.last_key = find_shortest_separator(self.last_key, key)
            self.index.add(self.last_key, self.pending)
            self.pending = None
        self.last_key = bytes(key)
        self.entries += 1
        self.data.add(key, value)
        if self.data.size_estimate() >= self.block_size:
            self.flush()

    def flush(self):
        if self.data.empty():
            return
        self.data_blocks += 1
        self.restarts += len(self.data.restarts)
        self.pending = self.write_block(self.data, self.block_type)

    def write_block(self, block, block_type=0):
        raw = block.finish()
        block.reset()
        return self.write_raw(raw, block_type)

    def write_raw(self, contents, block_type):
        handle = varint(self.offset) + varint(len(contents))
        trailer = bytes([block_type])
        trailer += struct.pack("<I", mask(crc32c(trailer, crc32c(contents))))
        self.f.write(contents + trailer)
        self.offset += len(contents) + len(trailer)
        return handle

    def finish(self):
        self.flush()
        metaindex = self.write_block(BlockBuilder(16))
        if self.pending is not None:
            self.last_key = find_short_successor(self.last_key)
            self.index.add(self.last_key, self.pending)
            self.pending = None
        index = self.write_block(self.index)
        footer = (metaindex + index).ljust(40, b"\0")
        footer += struct.pack("<II", 0xDB4775248B80FB57 & 0xFFFFFFFF, 0xDB4775248B80FB57 >> 32)
        self.f.write(footer)


# ---------------------------------------------------------------- the bundle

DT = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "string": 7, "int64": 9,
      "bool": 10, "bfloat16": 14, "uint16": 17, "float16": 19}


class BF16:
    """A bfloat16 array held as its uint16 bit patterns (numpy has no bfloat16)."""

    def __init__(self, bits):
        self.bits = np.asarray(bits, dtype=np.uint16)
        self.shape = self.bits.shape

    def values(self):
        return (self.bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def dtype_name(value):
    if isinstance(value, BF16):
        return "bfloat16"
    if isinstance(value, list):
        return "string"
    return {np.dtype(np.bool_): "bool"}.get(value.dtype, value.dtype.name)


def tensor_bytes(value, big_endian):
    if isinstance(value, BF16):
        arr = value.bits
    else:
        arr = np.ascontiguousarray(value)
    arr = arr.astype(arr.dtype.newbyteorder(">" if big_endian else "<"), copy=False)
    return arr.tobytes(order="C")


def string_tensor_bytes(strings):
    lengths = b"".join(varint(len(s)) for s in strings)
    crc = 0
    for s in strings:
        crc = crc32c(struct.pack("<I", len(s)), crc)
    length_checksum = struct.pack("<I", mask(crc))
    crc = crc32c(length_checksum, crc)
    for s in strings:
        crc = crc32c(s, crc)
    return lengths + length_checksum + b"".join(strings), crc


def write_bundle(prefix, tensors, block_size=262144, alignment=1, num_shards=1, big_endian=False,
                 overrides=None, block_type=0):
    """tensors: name -> numpy array | BF16 | list of bytes (DT_STRING). overrides: name -> entry fields to replace
    (dtype, offset, size, slices) to build defective bundles. Returns the table's data block and restart counts."""
    overrides = overrides or {}
    names = sorted(tensors, key=lambda n: n.encode())
    shards = [bytearray() for _ in range(num_shards)]
    entries = {}
    for i, name in enumerate(names):
        value = tensors[name]
        shard = i % num_shards
        out = shards[shard]
        offset = len(out)
        if isinstance(value, list):
            data, crc = string_tensor_bytes(value)
            shape = [len(value)]
        else:
            data = tensor_bytes(value, big_endian)
            crc = crc32c(data)
            shape = list(value.shape)
        out += data
        if len(out) % alignment:
            out += b"\0" * (alignment - len(out) % alignment)
        fields = dict(dtype=DT[dtype_name(value)], shape=shape, shard_id=shard, offset=offset, size=len(data),
                      crc=mask(crc), slices=())
        fields.update(overrides.get(name, {}))
        entries[name] = fields
    for shard, data in enumerate(shards):
        with open(f"{prefix}.data-{shard:05d}-of-{num_shards:05d}", "wb") as f:
            f.write(data)
    with open(f"{prefix}.index", "wb") as f:
        table = TableBuilder(f, block_size=block_size, block_type=block_type)
        table.add(b"", header_proto(num_shards, big_endian))
        for name in names:
            table.add(name.encode(), entry_proto(**entries[name]))
        table.finish()
    return {"data_blocks": table.data_blocks, "restarts": table.restarts}


def expected_json(tensors):
    out = {"tensors": {}, "skipped": []}
    for name in sorted(tensors, key=lambda n: n.encode()):
        value = tensors[name]
        if isinstance(value, list):
            out["skipped"].append(name)
            continue
        values = value.values() if isinstance(value, BF16) else np.asarray(value).astype(np.float64)
        out["tensors"][name] = {"dtype": dtype_name(value), "shape": list(value.shape),
                                "values": [float(v) for v in values.reshape(-1)]}
    return out


def dtypes_tensors(rng):
    t = {}
    t["xception_65/entry_flow/conv1_1/weights"] = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
    bn = "xception_65/entry_flow/conv1_1/BatchNorm/"
    t[bn + "gamma"] = rng.uniform(0.5, 1.5, 8).astype(np.float32)
    t[bn + "beta"] = rng.standard_normal(8).astype(np.float32)
    t[bn + "moving_mean"] = rng.standard_normal(8).astype(np.float32)
    t[bn + "moving_variance"] = rng.uniform(0.1, 2.0, 8).astype(np.float32)
    sep = "xception_65/entry_flow/block1/unit_1/xception_module/separable_conv1"
    t[sep + "_depthwise/depthwise_weights"] = rng.standard_normal((3, 3, 8, 1)).astype(np.float32)
    t[sep + "_pointwise/weights"] = rng.standard_normal((1, 1, 8, 16)).astype(np.float32)
    t["test/depthwise_mult2/depthwise_weights"] = rng.standard_normal((2, 3, 4, 2)).astype(np.float32)
    t["logits/semantic/biases"] = rng.standard_normal(21).astype(np.float64)
    t["global_step"] = np.array(30000, dtype=np.int64)  # a scalar, as tf.train saves it
    t["dtypes/int32"] = rng.integers(-2**31, 2**31 - 1, (2, 3), dtype=np.int32)
    t["dtypes/uint8"] = rng.integers(0, 256, 7, dtype=np.uint8)
    t["dtypes/int16"] = rng.integers(-2**15, 2**15 - 1, (3, 2), dtype=np.int16)
    t["dtypes/int8"] = rng.integers(-128, 128, 5, dtype=np.int8)
    t["dtypes/int64"] = rng.integers(-2**40, 2**40, 4, dtype=np.int64)
    t["dtypes/bool"] = rng.integers(0, 2, (2, 2)).astype(np.bool_)
    t["dtypes/float16"] = rng.standard_normal((2, 5)).astype(np.float16)
    t["dtypes/bfloat16"] = BF16((rng.standard_normal(6).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16))
    t["dtypes/uint16"] = rng.integers(0, 2**16, 5, dtype=np.uint16)
    t["dtypes/empty"] = np.zeros((0, 4), dtype=np.float32)
    t["dtypes/scalar_float"] = np.array(-0.5, dtype=np.float32)
    t["_CHECKPOINTABLE_OBJECT_GRAPH"] = [b"\x0a\x0b object graph proto bytes", b""]
    return t


def many_tensors(rng):
    t = {}
    for unit in range(1, 17):
        base = f"xception_65/middle_flow/block1/unit_{unit}/xception_module/"
        for conv in range(1, 4):
            op = f"{base}separable_conv{conv}"
            t[f"{op}_depthwise/depthwise_weights"] = rng.standard_normal((3, 3, 2, 1)).astype(np.float32)
            t[f"{op}_pointwise/weights"] = rng.standard_normal((1, 1, 2, 2)).astype(np.float32)
            for stat in ("gamma", "beta", "moving_mean", "moving_variance"):
                t[f"{op}_pointwise/BatchNorm/{stat}"] = rng.standard_normal(2).astype(np.float32)
    for i in range(300 - len(t) - 1):
        t[f"aspp{i % 4}/extra_{i:03d}/weights"] = rng.standard_normal(i % 5).astype(np.float32)
    t["global_step"] = np.array(12345, dtype=np.int64)
    assert len(t) == 300
    return t


def transforms(tensors):
    """numpy's answer for SegNets' Transforms: HWIO -> OIHW is transpose (3, 2, 0, 1); a depthwise kernel
    [kh, kw, in, mult] -> [in * mult, 1, kh, kw] is transpose (2, 3, 0, 1) then a reshape (what ChainerCV's tf2npz does)."""
    out = {}
    for name, w in tensors.items():
        if name.endswith("depthwise_weights"):
            kh, kw, cin, mult = w.shape
            r = np.transpose(w, (2, 3, 0, 1)).reshape(cin * mult, 1, kh, kw)
        elif name.endswith("/weights") and isinstance(w, np.ndarray) and w.ndim == 4:
            r = np.transpose(w, (3, 2, 0, 1))
        else:
            continue
        out[name] = {"shape": list(r.shape), "values": [float(v) for v in r.reshape(-1)]}
    return out


def fixture(out, name, tensors, **options):
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    stats = write_bundle(os.path.join(folder, "model.ckpt"), tensors, **options)
    expected = expected_json(tensors)
    expected["table"] = stats
    expected["transforms"] = transforms(tensors)
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f)


def main(out):
    rng = np.random.default_rng(20240607)
    dtypes = dtypes_tensors(rng)
    fixture(out, "dtypes", dtypes)
    fixture(out, "many", many_tensors(rng), block_size=2048, alignment=8)
    fixture(out, "sharded", {k: v for k, v in dtypes.items() if not isinstance(v, list)}, num_shards=2)
    fixture(out, "big_endian", {k: v for k, v in dtypes.items() if not isinstance(v, list)}, big_endian=True)

    small = {"a/weights": np.arange(6, dtype=np.float32).reshape(2, 3), "b/biases": np.ones(3, np.float32)}
    fixture(out, "bad_dtype", small, overrides={"b/biases": {"dtype": 99}})
    # A TensorSliceProto {extent {start 0, length 1}} is enough: the reader must refuse any slices.
    fixture(out, "slices", small, overrides={"b/biases": {"slices": (field_bytes(1, field_varint(2, 1)),)}})
    fixture(out, "snappy", small, block_type=1)
    fixture(out, "beyond", small, overrides={"b/biases": {"offset": 30}})


if __name__ == "__main__":
    main(sys.argv[1])
