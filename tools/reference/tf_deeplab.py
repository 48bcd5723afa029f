"""Reference for SegNets' TF DeepLab Xception-65 DeepLabV3+ (TfDeepLabModels.Xception65 + TfDeepLabConverter).

TensorFlow cannot run here, so this is a PyTorch transcription of the graph TF DeepLab builds for its model-zoo
checkpoints, written from tensorflow/models research/deeplab (read, not copied):
  model.py @05ccaf88f7bd    multi_scale_logits (single scale), _extract_features (image pooling: avg_pool2d over
                            scale_dimension(crop, 1/OS) VALID + conv + resize_bilinear back; aspp0 1x1; aspp1..3 split
                            separable; concat_projection; dropout = identity at eval), refine_by_decoder
                            (feature_projection0, both inputs resized to scale_dimension(crop, 1/4), decoder_conv0/1),
                            _get_branch_logits (logits/semantic, 1x1 with biases), predict_labels (resize to the image,
                            align_corners=True); BN eps 1e-5 in ASPP and decoder; scale_dimension
  core/xception.py @015d6ed6bc63  fixed_padding, separable_conv2d_same (explicit padding when strided, 'SAME'
                            otherwise; split into <scope>_depthwise / <scope>_pointwise), xception_module (ReLU before
                            each separable conv, or inside it for exit_flow/block2; shortcut 1x1 conv + BN; 'sum'; 'none'),
                            stack_blocks_dense (atrous rates once the output stride is reached), xception (output_stride
                            halved for the stem; entry_flow/conv1_1 stride 2, conv1_2), xception_65_factory,
                            xception_arg_scope (BN scale=True; activation relu; normalizer batch_norm)
  research/slim/nets/resnet_utils.py @03cdc5fecfb6  conv2d_same (the stem: explicit padding + VALID when strided)
  core/feature_extractor.py @08eebbce39a9  decoder end point entry_flow/block2/unit_1/xception_module/
                            separable_conv2_pointwise; name_scope xception_65; batch_norm_epsilon 1e-3;
                            _preprocess_zero_mean_unit_range (2/255 x - 1)
TF's conv semantics are written out here: NHWC 'SAME' padding (pad_total = max((ceil(in/s) - 1) s + k_eff - in, 0),
the smaller half first), HWIO kernels, [kh, kw, in, multiplier] depthwise kernels, BatchNorm gamma/beta/moving_mean/
moving_variance. tf.image.resize_bilinear(align_corners=True) is F.interpolate(align_corners=True) (both sample at
i * (in - 1) / (out - 1)). It is NOT SegNets' C# code: the test compares the two.

Weights are held under TF's variable names and layouts and written as a real TF V2 checkpoint (tf_bundle_writer.py)
with the extras a real one carries (global_step, a few <var>/Momentum slots and an ExponentialMovingAverage), then
packed like the model zoo's tarball (<folder>/model.ckpt.{index,data-00000-of-00001} + frozen_inference_graph.pb).

    /usr/bin/python3 tools/reference/tf_deeplab.py OUT_DIR

OUT_DIR: outputs.pth (input 1x3x65x65 in 0..255, num_params, and for each case os16 (rates 6/12/18), os8 (12/24/36),
os8_r123 (1/2/3: rates that reach beyond the centre tap of the 9x9 map) the logits at the input size; even.input
2x3x48x64 and its even.os16.output),
model.ckpt.{index,data-00000-of-00001}, deeplabv3_test_2018_01_04.tar.gz, variables.txt (name and shape per variable).
"""
import math
import os
import sys
import tarfile

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tf_bundle_writer  # noqa: E402

NUM_CLASSES = 5

# ------------------------------------------------------------------------------------------------ fast CRC32C


def _crc_shift_basis(m):
    """The linear map 'feed m zero bytes' on the raw CRC register, as its images of the 32 unit vectors."""
    table = np.array(tf_bundle_writer._CRC_TABLE, dtype=np.uint32)
    c = (np.uint32(1) << np.arange(32, dtype=np.uint32)).astype(np.uint32)
    for _ in range(m):
        c = table[c & 0xFF] ^ (c >> 8)
    return c


def fast_crc32c(data, crc=0):
    """crc32c::Extend(crc, data) as tf_bundle_writer.crc32c, but over numpy lanes: the bytes are cut into equal chunks
    whose raw registers are computed side by side from 0, then folded: reg = shift(reg, m) ^ chunk_reg (the register
    update is linear over GF(2))."""
    data = np.frombuffer(bytes(data), dtype=np.uint8)
    n = len(data)
    if n < 1 << 16:
        return tf_bundle_writer._slow_crc32c(data.tobytes(), crc)
    lanes = 4096
    m = n // lanes
    body = data[:m * lanes].reshape(lanes, m)
    table = np.array(tf_bundle_writer._CRC_TABLE, dtype=np.uint32)
    regs = np.zeros(lanes, dtype=np.uint32)
    for j in range(m):
        regs = table[(regs ^ body[:, j]) & 0xFF] ^ (regs >> 8)
    basis = [int(v) for v in _crc_shift_basis(m)]
    reg = crc ^ 0xFFFFFFFF
    for r in regs:
        shifted = 0
        for bit in range(32):
            if reg >> bit & 1:
                shifted ^= basis[bit]
        reg = shifted ^ int(r)
    return tf_bundle_writer._slow_crc32c(data[m * lanes:].tobytes(), reg ^ 0xFFFFFFFF)


tf_bundle_writer._slow_crc32c = tf_bundle_writer.crc32c
tf_bundle_writer.crc32c = fast_crc32c

# ------------------------------------------------------------------------------------------------ TF ops on NCHW


def same_pads(size, k, s, rate):
    # TF 'SAME': out = ceil(in / s); pad_total = max((out - 1) s + k_eff - in, 0); top/left gets pad_total // 2
    k_eff = k + (k - 1) * (rate - 1)
    out = -(-size // s)
    total = max((out - 1) * s + k_eff - size, 0)
    return total // 2, total - total // 2


def tf_conv(x, hwio, stride=1, rate=1, padding="SAME", groups=1):
    # tf.nn.conv2d / depthwise_conv2d with an HWIO (or [kh, kw, in, 1] depthwise) kernel
    kh, kw = hwio.shape[0], hwio.shape[1]
    if groups == 1:
        w = hwio.permute(3, 2, 0, 1)
    else:
        w = hwio.permute(2, 3, 0, 1).reshape(hwio.shape[2] * hwio.shape[3], 1, kh, kw)
    if padding == "SAME":
        t, b = same_pads(x.shape[2], kh, stride, rate)
        l, r = same_pads(x.shape[3], kw, stride, rate)
        x = F.pad(x, (l, r, t, b))
    return F.conv2d(x, w, None, stride, 0, rate, groups)


def fixed_padding(x, k, rate):
    # xception.py fixed_padding
    k_eff = k + (k - 1) * (rate - 1)
    total = k_eff - 1
    beg = total // 2
    return F.pad(x, (beg, total - beg, beg, total - beg))


def resize_bilinear(x, size):
    # tf.image.resize_bilinear(align_corners=True)
    if tuple(x.shape[2:]) == tuple(size):
        return x
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=True)


def scale_dimension(dim, scale):
    # model.py scale_dimension
    return int((float(dim) - 1.0) * scale + 1.0)


class Graph:
    """The variables of the graph, created on first use under TF's names, like tf.get_variable in slim."""

    def __init__(self, gen):
        self.vars = {}
        self.gen = gen

    def var(self, name, shape, kind):
        if name not in self.vars:
            g = self.gen
            if kind == "kernel":
                fan_in = int(np.prod(shape[:-1]))
                v = (torch.rand(shape, generator=g) * 2 - 1) * math.sqrt(3.0 / fan_in)
            elif kind == "depthwise":
                v = (torch.rand(shape, generator=g) * 2 - 1) * math.sqrt(3.0 / (shape[0] * shape[1]))
            elif kind == "gamma":
                v = 0.5 + torch.rand(shape, generator=g)
            elif kind == "variance":
                v = 0.5 + torch.rand(shape, generator=g)
            else:  # beta, moving_mean, biases
                v = 0.2 * (torch.rand(shape, generator=g) - 0.5)
            self.vars[name] = v
        v = self.vars[name]
        assert tuple(v.shape) == tuple(shape), (name, v.shape, shape)
        return v

    def batch_norm(self, x, scope, eps):
        # slim.batch_norm(scale=True) at inference: gamma (x - moving_mean) / sqrt(moving_variance + eps) + beta
        c = x.shape[1]
        gamma = self.var(scope + "/BatchNorm/gamma", (c,), "gamma")
        beta = self.var(scope + "/BatchNorm/beta", (c,), "beta")
        mean = self.var(scope + "/BatchNorm/moving_mean", (c,), "beta")
        var = self.var(scope + "/BatchNorm/moving_variance", (c,), "variance")
        r = lambda t: t[None, :, None, None]  # noqa: E731
        return r(gamma) * (x - r(mean)) / torch.sqrt(r(var) + eps) + r(beta)

    def conv_bn(self, x, out, k, scope, eps, stride=1, rate=1, relu=True, padding="SAME"):
        # slim.conv2d(normalizer_fn=batch_norm, activation_fn=relu|None): no biases with a normalizer
        w = self.var(scope + "/weights", (k, k, x.shape[1], out), "kernel")
        h = self.batch_norm(tf_conv(x, w, stride, rate, padding), scope, eps)
        return F.relu(h) if relu else h

    def split_separable(self, x, out, scope, eps, stride=1, rate=1, relu=True, padding="SAME"):
        # slim.separable_conv2d(num_outputs=None) scope_depthwise (+BN, +act) then slim.conv2d 1x1 scope_pointwise
        dw = self.var(scope + "_depthwise/depthwise_weights", (3, 3, x.shape[1], 1), "depthwise")
        h = self.batch_norm(tf_conv(x, dw, stride, rate, padding, groups=x.shape[1]), scope + "_depthwise", eps)
        if relu:
            h = F.relu(h)
        return self.conv_bn(h, out, 1, scope + "_pointwise", eps, relu=relu)

    # ---- core/xception.py

    def separable_conv2d_same(self, x, out, stride, rate, relu, scope, eps=1e-3):
        if stride == 1:
            return self.split_separable(x, out, scope, eps, 1, rate, relu, "SAME")
        return self.split_separable(fixed_padding(x, 3, rate), out, scope, eps, stride, rate, relu, "VALID")

    def xception_module(self, x, depths, skip, stride, rate, activation_in_separable, scope, end_points):
        residual = x
        for i in range(3):
            if not activation_in_separable:
                residual = F.relu(residual)
            residual = self.separable_conv2d_same(residual, depths[i], stride if i == 2 else 1, rate,
                                                  activation_in_separable, f"{scope}/separable_conv{i + 1}")
            end_points[f"{scope}/separable_conv{i + 1}_pointwise"] = residual
        if skip == "conv":
            return residual + self.conv_bn(x, depths[-1], 1, f"{scope}/shortcut", 1e-3, stride=stride, relu=False)
        if skip == "sum":
            return residual + x
        return residual

    def xception_65(self, x, output_stride, end_points):
        blocks = [("entry_flow/block1", [128] * 3, "conv", False, 1, 2),
                  ("entry_flow/block2", [256] * 3, "conv", False, 1, 2),
                  ("entry_flow/block3", [728] * 3, "conv", False, 1, 2),
                  ("middle_flow/block1", [728] * 3, "sum", False, 16, 1),
                  ("exit_flow/block1", [728, 1024, 1024], "conv", False, 1, 2),
                  ("exit_flow/block2", [1536, 1536, 2048], "none", True, 1, 1)]
        output_stride //= 2  # xception(): the stem's stride is taken out first
        x = fixed_padding(x, 3, 1)  # resnet_utils.conv2d_same, stride 2: explicit padding + VALID
        x = self.conv_bn(x, 32, 3, "xception_65/entry_flow/conv1_1", 1e-3, stride=2, padding="VALID")
        x = self.conv_bn(x, 64, 3, "xception_65/entry_flow/conv1_2", 1e-3)
        current_stride, rate = 1, 1
        for scope, depths, skip, act_in, units, stride in blocks:
            for i in range(units):
                unit = f"xception_65/{scope}/unit_{i + 1}/xception_module"
                if current_stride == output_stride:
                    x = self.xception_module(x, depths, skip, 1, rate, act_in, unit, end_points)
                    rate *= stride
                else:
                    x = self.xception_module(x, depths, skip, stride, 1, act_in, unit, end_points)
                    current_stride *= stride
        return x

    # ---- model.py

    def logits(self, images, output_stride, rates):
        crop = images.shape[2:]  # eval/vis: the image is padded to the crop, so crop_size == its size
        x = (2.0 / 255.0) * images - 1.0
        end_points = {}
        features = self.xception_65(x, output_stride, end_points)
        # _extract_features: ASPP
        ph, pw = scale_dimension(crop[0], 1.0 / output_stride), scale_dimension(crop[1], 1.0 / output_stride)
        pooled = F.avg_pool2d(features, (ph, pw), (ph, pw))
        pooled = self.conv_bn(pooled, 256, 1, "image_pooling", 1e-5)
        branches = [resize_bilinear(pooled, (ph, pw)), self.conv_bn(features, 256, 1, "aspp0", 1e-5)]
        for i, r in enumerate(rates, 1):
            branches.append(self.split_separable(features, 256, f"aspp{i}", 1e-5, rate=r))
        h = self.conv_bn(torch.cat(branches, 1), 256, 1, "concat_projection", 1e-5)
        # refine_by_decoder
        dh, dw = scale_dimension(crop[0], 0.25), scale_dimension(crop[1], 0.25)
        low = end_points["xception_65/entry_flow/block2/unit_1/xception_module/separable_conv2_pointwise"]
        parts = [h, self.conv_bn(low, 48, 1, "decoder/feature_projection0", 1e-5)]
        parts = [resize_bilinear(p, (dh, dw)) for p in parts]
        d = self.split_separable(torch.cat(parts, 1), 256, "decoder/decoder_conv0", 1e-5)
        d = self.split_separable(d, 256, "decoder/decoder_conv1", 1e-5)
        # _get_branch_logits
        w = self.var("logits/semantic/weights", (1, 1, 256, NUM_CLASSES), "kernel")
        b = self.var("logits/semantic/biases", (NUM_CLASSES,), "beta")
        logits = tf_conv(d, w) + b[None, :, None, None]
        # multi_scale_logits: resized to the crop's stride-4 size; predict_labels: to the image
        logits = resize_bilinear(logits, (dh, dw))
        return resize_bilinear(logits, images.shape[2:])


def main(out):
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(20261123)
    graph = Graph(g)
    record = {}
    with torch.no_grad():
        images = torch.rand(1, 3, 65, 65, generator=g) * 255
        record["input"] = images
        for tag, os_, rates in (("os16", 16, (6, 12, 18)), ("os8", 8, (12, 24, 36)), ("os8_r123", 8, (1, 2, 3))):
            record[f"{tag}.output"] = graph.logits(images, os_, rates)
        # even sides and a batch of two: 'SAME' would pad a strided 3x3 conv asymmetrically here; TF's explicit padding does not
        even = torch.rand(2, 3, 48, 64, generator=g) * 255
        record["even.input"] = even
        record["even.os16.output"] = graph.logits(even, 16, (6, 12, 18))
    # moving_mean/moving_variance are not learnable parameters
    record["num_params"] = torch.tensor(sum(v.numel() for k, v in graph.vars.items()
                                            if not k.endswith(("moving_mean", "moving_variance"))))
    torch.save(record, os.path.join(out, "outputs.pth"))

    tensors = {k: v.numpy().astype(np.float32) for k, v in graph.vars.items()}
    with open(os.path.join(out, "variables.txt"), "w") as f:
        for k in sorted(tensors):
            f.write(f"{k} {list(tensors[k].shape)}\n")
    # Extras of a checkpoint saved by train.py (MomentumOptimizer slots, the step counter) and a moving average:
    # real checkpoints have a Momentum slot per trainable variable; a few keep this file small.
    extras = {"global_step": np.array(30000, dtype=np.int64)}
    for k in ("logits/semantic/weights", "logits/semantic/biases", "aspp0/BatchNorm/gamma",
              "xception_65/entry_flow/conv1_1/weights"):
        extras[k + "/Momentum"] = np.zeros_like(tensors[k])
    extras["concat_projection/BatchNorm/beta/ExponentialMovingAverage"] = tensors["concat_projection/BatchNorm/beta"].copy()
    tf_bundle_writer.write_bundle(os.path.join(out, "model.ckpt"), {**tensors, **extras})
    with open(os.path.join(out, "extras.txt"), "w") as f:
        f.write("\n".join(sorted(extras)) + "\n")

    # The model zoo's tarball layout (local_test.sh @21ac7b8b extracts deeplabv3_pascal_train_aug/model.ckpt.*).
    with open(os.path.join(out, "frozen_inference_graph.pb"), "wb") as f:
        f.write(b"\x0a\x00 not a real graph")
    with tarfile.open(os.path.join(out, "deeplabv3_test_2018_01_04.tar.gz"), "w:gz", compresslevel=1) as tar:
        tar.add(os.path.join(out, "frozen_inference_graph.pb"), "deeplabv3_test/frozen_inference_graph.pb")
        for suffix in (".data-00000-of-00001", ".index"):
            tar.add(os.path.join(out, "model.ckpt" + suffix), "deeplabv3_test/model.ckpt" + suffix)
    print("tf_deeplab: " + ", ".join(f"{k} {tuple(v.shape)} max|x| {v.abs().max():.3g}" for k, v in record.items()
                                     if v.dim()), f"params {int(record['num_params'])}, {len(tensors)} variables")


if __name__ == "__main__":
    main(sys.argv[1])
