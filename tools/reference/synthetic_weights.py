"""Deterministic weights computed from each state-dict key, so that reference outputs can be committed without the
weights: SegNets' tests (tests/SegNets.Tests/Support/SyntheticWeights.cs) compute the very same float32 values.

For key k with n elements: seed = FNV-1a 32-bit of k (UTF-8); for i < n, h = fmix32(seed + i * 0x9E3779B9) (MurmurHash3's
finaliser, all mod 2^32) and u = h / 2^32 in float64. Then, by key: running_var 0.5 + u; running_mean 0.2 (u - 0.5);
1-D weight (a norm's scale) 0.2 + 0.4 u; bias 0.2 (u - 0.5); weights of rank >= 2 (2u - 1) sqrt(6 / fan_in) with
fan_in = n / shape[0]; num_batches_tracked is left alone. Finally rounded to float32.
"""
import numpy as np
import torch

MASK = np.uint64(0xFFFFFFFF)


def fnv1a(key):
    h = 0x811C9DC5
    for b in key.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def uniform(key, n):
    i = np.arange(n, dtype=np.uint64)
    h = (np.uint64(fnv1a(key)) + i * np.uint64(0x9E3779B9)) & MASK
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & MASK
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & MASK
    h ^= h >> np.uint64(16)
    return h.astype(np.float64) / 4294967296.0


def value(key, shape):
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(key, n)
    if key.endswith("running_var"):
        v = 0.5 + u
    elif key.endswith("running_mean"):
        v = 0.2 * (u - 0.5)
    elif key.endswith("bias"):
        v = 0.2 * (u - 0.5)
    elif len(shape) <= 1:
        v = 0.2 + 0.4 * u
    else:
        v = (2.0 * u - 1.0) * np.sqrt(6.0 / (n // shape[0]))
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def fill(model):
    with torch.no_grad():
        for key, tensor in model.state_dict().items():
            if key.endswith("num_batches_tracked"):
                continue
            tensor.copy_(value(key, tuple(tensor.shape)))


def fill_renamed(model, rename):
    """fill() for a model whose keys differ from SegNets': each key's values are those of rename(key)."""
    with torch.no_grad():
        for key, tensor in model.state_dict().items():
            if key.endswith("num_batches_tracked"):
                continue
            tensor.copy_(value(rename(key), tuple(tensor.shape)))
