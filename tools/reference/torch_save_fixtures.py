"""Writes real torch.save files, and what they hold, for SegNets' PyTorch checkpoint reader tests.

    /usr/bin/python3 tools/reference/torch_save_fixtures.py OUT_DIR

OUT_DIR gets:
  zip.pth, legacy.pth      the same checkpoint in the zip format and the legacy (_use_new_zipfile_serialization=False)
                           format: {'state_dict': OrderedDict(...), 'epoch': 7}, with float32/float16/bfloat16/int64/
                           bool tensors, a transposed view and a slice sharing one storage, a 0-d tensor, nested dicts,
                           and over 256 tensors (long memo indices)
  module_prefix.pth        a DataParallel-style state dict ('module.' on every key)
  evil.pth                 zip.pth with its data.pkl replaced by a pickle that calls os.system (must be refused)
  expected.json            every tensor of zip.pth: dtype, shape and values (row-major, as float), as torch sees them
"""
import collections
import json
import os
import pickle
import sys
import zipfile

import torch


def main(out):
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(1234)
    base = torch.randn(4, 6, generator=g)
    state = collections.OrderedDict()
    state["conv.weight"] = torch.randn(8, 3, 3, 3, generator=g)
    state["conv.bias"] = torch.randn(8, generator=g).half()
    state["bn.running_var"] = (torch.rand(8, generator=g) + 0.5).to(torch.bfloat16)
    state["bn.num_batches_tracked"] = torch.tensor(12345678901, dtype=torch.int64)
    state["mask"] = torch.tensor([True, False, True])
    state["shared.base"] = base
    state["shared.transposed"] = base.t()
    state["shared.slice"] = base[1:3, 2:5]
    state["big.ints"] = torch.arange(-5, 5, dtype=torch.int64) * 1000000007
    state["doubles"] = torch.randn(3, generator=g, dtype=torch.float64)
    # more than 256 memoised objects: the pickler switches from BINPUT/BINGET to LONG_BINPUT/LONG_BINGET
    for i in range(300):
        state[f"many.{i}"] = torch.full((2,), float(i))
    ckpt = {"state_dict": state, "epoch": 7, "meta": {"name": "fixture", "lr": 0.01}}

    torch.save(ckpt, os.path.join(out, "zip.pth"))
    torch.save(ckpt, os.path.join(out, "legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(collections.OrderedDict(("module." + k, v) for k, v in list(state.items())[:2]),
               os.path.join(out, "module_prefix.pth"))

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo segnets-pwned > /tmp/segnets-pwned",))

    with zipfile.ZipFile(os.path.join(out, "zip.pth")) as src, \
            zipfile.ZipFile(os.path.join(out, "evil.pth"), "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("/data.pkl"):
                data = pickle.dumps({"state_dict": Evil()}, protocol=2)
            dst.writestr(info.filename, data)

    expected = {}
    for k, v in state.items():
        expected[k] = {
            "dtype": str(v.dtype).replace("torch.", ""),
            "shape": list(v.shape),
            "values": [float(x) for x in v.reshape(-1).to(torch.float64).tolist()],
        }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main(sys.argv[1])
