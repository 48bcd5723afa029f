"""Fixtures for SegNets' ONNX initializer reader, written by the real `onnx` package (Debian's python3-onnx) and by
torch.onnx.export (Debian's python3-torch) under /usr/bin/python3.

    /usr/bin/python3 tools/reference/onnx_fixtures.py OUT_DIR

Writes
  tensors.onnx   a graph whose initializers cover the data types, raw_data (numpy_helper.from_array) and the typed
                 fields (helper.make_tensor(..., raw=False)), plus a Constant node;
  external.onnx  the same initializers with onnx.save_model(save_as_external_data=True, all_tensors_to_one_file=True,
                 location='external.bin', size_threshold=0): the raw_data ones become data_location EXTERNAL with
                 offset/length in external.bin;
  export.onnx    torch.onnx.export of a small conv/BN/linear network (training=TRAINING keeps every parameter and
                 buffer as a named initializer instead of folding BN into the conv);
  expected.json  name -> {type, shape, values (flattened)} for every tensor of tensors.onnx and export.onnx' state dict.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn


def arrays():
    a = np.arange(24).reshape(2, 3, 4)
    return {
        "f32_raw": (a * 0.5 - 3).astype(np.float32),
        "f64_raw": (a / 3.0).astype(np.float64),
        "f16_raw": (a * 0.25 - 2).astype(np.float16),
        "i8_raw": np.array([-128, -1, 0, 127], dtype=np.int8),
        "u8_raw": np.array([0, 1, 200, 255], dtype=np.uint8),
        "i16_raw": np.array([-32768, -1, 300, 32767], dtype=np.int16),
        "u16_raw": np.array([0, 1, 40000, 65535], dtype=np.uint16),
        "i32_raw": np.array([-2147483648, -1, 7, 2147483647], dtype=np.int32),
        "u32_raw": np.array([0, 1, 3000000000, 4294967295], dtype=np.uint32),
        "i64_raw": np.array([-9007199254740992, -1, 7, 9007199254740992], dtype=np.int64),
        "u64_raw": np.array([0, 1, 9007199254740992], dtype=np.uint64),
        "bool_raw": np.array([[True, False], [False, True]]),
        "scalar_raw": np.array(2.5, dtype=np.float32),
        "empty_raw": np.zeros((0, 4), dtype=np.float32),
    }


TYPED = {  # name -> (ONNX type, numpy dtype): helper.make_tensor(raw=False) puts the values in the typed fields
    "f32_typed": (TensorProto.FLOAT, np.float32),
    "f64_typed": (TensorProto.DOUBLE, np.float64),
    "f16_typed": (TensorProto.FLOAT16, np.float16),
    "i8_typed": (TensorProto.INT8, np.int8),
    "u8_typed": (TensorProto.UINT8, np.uint8),
    "i16_typed": (TensorProto.INT16, np.int16),
    "u16_typed": (TensorProto.UINT16, np.uint16),
    "i32_typed": (TensorProto.INT32, np.int32),
    "u32_typed": (TensorProto.UINT32, np.uint32),
    "i64_typed": (TensorProto.INT64, np.int64),
    "u64_typed": (TensorProto.UINT64, np.uint64),
    "bool_typed": (TensorProto.BOOL, np.bool_),
}


def record(expected, name, a):
    a = np.asarray(a)
    expected[name] = {"type": a.dtype.name, "shape": list(a.shape),
                      "values": [v.item() for v in np.ascontiguousarray(a).reshape(-1)]}


def main(out):
    os.makedirs(out, exist_ok=True)
    expected = {}
    inits = []
    for name, a in arrays().items():
        inits.append(numpy_helper.from_array(a, name))
        record(expected, name, a)
    for name, (onnx_type, dtype) in TYPED.items():
        raw_name = name.replace("_typed", "_raw")
        a = arrays()[raw_name].astype(dtype)
        # make_tensor(raw=False) stores FLOAT16 values as their bit patterns in int32_data itself
        t = helper.make_tensor(name, onnx_type, a.shape, a.reshape(-1).tolist(), raw=False)
        assert not t.HasField("raw_data"), name
        assert np.array_equal(numpy_helper.to_array(t), a), name
        inits.append(t)
        record(expected, name, a)
    const = np.array([[1.5, -2.0, 3.25]], dtype=np.float32)
    record(expected, "const_out", const)
    node_const = helper.make_node("Constant", [], ["const_out"], value=numpy_helper.from_array(const, ""))
    node_add = helper.make_node("Add", ["x", "const_out"], ["y"])
    graph = helper.make_graph([node_const, node_add], "fixtures",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], initializer=inits)
    model = helper.make_model(graph, producer_name="segnets-fixtures")
    onnx.save_model(model, os.path.join(out, "tensors.onnx"))
    onnx.save_model(model, os.path.join(out, "external.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="external.bin", size_threshold=0)
    ext = onnx.load(os.path.join(out, "external.onnx"), load_external_data=False)
    # onnx moves only tensors that carry raw_data (the *_raw ones); typed-field tensors stay inline
    n_external = sum(t.data_location == TensorProto.EXTERNAL for t in ext.graph.initializer)
    assert n_external >= len(arrays()) - 1, n_external

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(8, 4))
    with torch.no_grad():
        net[1].running_mean.uniform_(-1, 1)
        net[1].running_var.uniform_(0.5, 2)
    torch.onnx.export(net, torch.randn(1, 3, 8, 8), os.path.join(out, "export.onnx"), opset_version=13,
                      training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)
    exported = {t.name for t in onnx.load(os.path.join(out, "export.onnx")).graph.initializer}
    for name, value in net.state_dict().items():
        if name in exported:
            record(expected, "export:" + name, value.numpy())
    print("onnx", onnx.__version__, "torch", torch.__version__, ": export initializers", sorted(exported))
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main(sys.argv[1])
