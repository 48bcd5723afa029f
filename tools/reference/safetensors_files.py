"""safetensors fixtures for SegNets' reader tests, and a check of files SegNets writes.

The `safetensors` package (Rust + Python bindings) is not packaged by Debian, so this script writes and reads the
format directly from its specification: huggingface/safetensors@24b0b285 README.md "Format" and
safetensors/src/tensor.rs (prepare L227-256: entries sorted by dtype alignment then name, header padded with spaces to a
multiple of 8; read_metadata L390-425; Metadata::validate L627-664).

    /usr/bin/python3 tools/reference/safetensors_files.py OUT_DIR write
        -> OUT_DIR/mixed.safetensors and OUT_DIR/expected.pth (the same tensors, torch.save)
    /usr/bin/python3 tools/reference/safetensors_files.py OUT_DIR check FILE
        -> validates FILE as tensor.rs does and writes OUT_DIR/read.pth (its tensors) and OUT_DIR/metadata.txt
"""
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32, "I16": np.int16,
          "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
ALIGN = {"F64": 8, "I64": 8, "F32": 4, "I32": 4, "F16": 2, "BF16": 2, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def write(path, tensors, metadata):
    # tensor.rs prepare(): sort by (alignment descending, name), offsets consecutive
    order = sorted(tensors, key=lambda k: (-ALIGN[tensors[k][0]], k))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in order:
        dtype, raw, shape = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def as_raw(array):
    return np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()


def main():
    out, mode = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(7)
    if mode == "write":
        arrays = {
            "backbone.conv1.weight": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
            "head.bias": rng.standard_normal(5).astype(np.float64),
            "half": rng.standard_normal((2, 3)).astype(np.float16),
            "counter": np.array(7, dtype=np.int64),
            "ids": np.arange(-3, 3, dtype=np.int32).reshape(2, 3),
            "small": np.array([-2, 0, 5], dtype=np.int8),
            "bytes": np.array([0, 200, 255], dtype=np.uint8),
            "mask": np.array([True, False, True]),
            "empty": np.zeros((0, 4), dtype=np.float32),
            "shorts": np.array([-300, 300], dtype=np.int16),
        }
        tensors = {k: ({np.dtype(v).type: k2 for k2, v in DTYPES.items()}[a.dtype.type], as_raw(a), a.shape) for k, a in arrays.items()}
        bf16 = torch.tensor([1.5, -2.25, 3.0e5])
        tensors["brain"] = ("BF16", bf16.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes(), (3,))
        write(f"{out}/mixed.safetensors", tensors, {"segnets.zoo": "test", "format": "pt"})
        expected = {k: torch.from_numpy(a.copy()) for k, a in arrays.items()}
        expected["brain"] = bf16.to(torch.bfloat16)
        torch.save(expected, f"{out}/expected.pth")
    elif mode == "check":
        path = sys.argv[3]
        with open(path, "rb") as f:
            data = f.read()
        (n,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + n].decode("utf-8"))
        metadata = header.pop("__metadata__", {})
        buffer = data[8 + n:]
        spans = sorted((v["data_offsets"][0], v["data_offsets"][1], k) for k, v in header.items())
        position = 0
        for begin, end, name in spans:  # Metadata::validate: the entries tile the buffer
            assert begin == position, f"{name} starts at {begin}, expected {position}"
            position = end
        assert position == len(buffer), f"data is {len(buffer)} bytes, header says {position}"
        assert (8 + n) % 8 == 0, "data not 8-aligned"
        read = {}
        for name, v in header.items():
            begin, end = v["data_offsets"]
            if v["dtype"] == "BF16":
                t = torch.from_numpy(np.frombuffer(buffer[begin:end], dtype="<i2").copy()).view(torch.bfloat16)
            else:
                t = torch.from_numpy(np.frombuffer(buffer[begin:end], dtype=np.dtype(DTYPES[v["dtype"]]).newbyteorder("<")).copy())
            read[name] = t.reshape(v["shape"])
        torch.save(read, f"{out}/read.pth")
        with open(f"{out}/metadata.txt", "w") as f:
            for k in sorted(metadata):
                f.write(f"{k}={metadata[k]}\n")


if __name__ == "__main__":
    main()
