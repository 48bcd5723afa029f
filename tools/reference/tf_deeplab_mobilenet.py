"""Reference for SegNets' TF DeepLab DeepLabV3 MobileNetV2 (SegNets.Models.TfDeepLab).

TensorFlow cannot run here, so this is a PyTorch transcription of the TF graph, written from these files and checked
against them line by line (each function cites what it follows):

  tensorflow/models@3100470fe48ae83c6b4fe3e8ceb3a8db560aa4d2 research/deeplab/model.py
      multi_scale_logits, extract_features (image pooling, aspp0, concat_projection, dropout), get_branch_logits,
      predict_labels (resize_bilinear to the image, align_corners=True), scale_dimension
  tensorflow/models@965cc3eef54a3a173a2347fe0059a35f1e5f2496 research/deeplab/core/feature_extractor.py
      _mobilenet_v2 (scope MobilenetV2, final endpoint layer_18, min_depth and divisible_by 8 at depth multiplier 1.0
      and 1 otherwise), arg_scopes_map['mobilenet_v2'] = mobilenet_v2.training_scope, preprocessing 2/255 x - 1
  tensorflow/models@d575e99d177347cee9e6c32710f44a8e392404c3 research/deeplab/common.py
      defaults: add_image_level_feature, aspp_with_batch_norm True, atrous_rates and decoder_output_stride None
  tensorflow/models@e2e441f88420deb1a58c3e420fc26a8175c58d34 research/slim/nets/mobilenet/mobilenet_v2.py  V2_DEF
  tensorflow/models@0ba83cf0211401a8505505276c59418f15338d31 research/slim/nets/mobilenet/mobilenet.py
      depth_multiplier / _make_divisible, mobilenet_base (output_stride -> stride 1 and atrous rate), training_scope
  tensorflow/models@ee6901ff35fa4a978f0e8e5483d00cd01e0497ff research/slim/nets/mobilenet/conv_blocks.py
      expanded_conv (expand only when wider, depthwise, linear project, residual), expand_input_by_factor
  tensorflow/tensorflow@df09a10c3a710deb9d7fbc44a2803a4a3c53f66e tensorflow/contrib/layers/python/layers/layers.py
      slim.batch_norm: scope BatchNorm, epsilon 0.001 by default, variables beta, gamma, moving_mean, moving_variance
  tensorflow/tensorflow@5dcc87d0d5ad7e62ebdfcc0a5fded557e88f3aa9 tensorflow/core/framework/kernel_shape_util.cc
      GetWindowedOutputSizeVerboseV2: 'SAME' padding (odd totals put the extra row/column after)

It is NOT SegNets' C# code: the test compares the two. Weights are held under TF's checkpoint variable names in TF's
layouts (conv kernels [kh, kw, in, out], depthwise kernels [kh, kw, in, 1]) and written as a real TF V2 bundle with
tf_bundle_writer.py, together with what a training checkpoint also holds (global_step, Momentum slots of every
trainable variable, ExponentialMovingAverage copies of a few), which a converter must drop.

    /usr/bin/python3 tools/reference/tf_deeplab_mobilenet.py OUT_DIR

OUT_DIR gets, per depth multiplier (dm10, dm05): DMxx/model.ckpt.{index,data-00000-of-00001} and DMxx/variables.txt
(every variable of the bundle: name, shape, and 'model' or 'extra'); and outputs.pth holding, for each of dm10_os8,
dm10_os16, dm05_os8, dm05_os16 and each input (a: 1x3x65x67, b: 2x3x50x44): {config}.{input}.input (the network's
input, already normalised), {config}.{input}.features (MobilenetV2 layer_18), {config}.{input}.logits (at the input
size), {config}.b.logits_symmetric_padding (a control: the same network with PyTorch-style symmetric padding),
and {config}.num_params; same.N.{config,input,weight,output} for the 'SAME' padding cases
(same_padding_cases). TF computes in NHWC; everything here is NCHW, which changes no value.
"""
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tf_bundle_writer  # noqa: E402

NUM_CLASSES = 5


# ------------------------------------------------------------------------------------------------ slim building blocks

def make_divisible(v, divisor, min_value=None):
    """mobilenet.py _make_divisible."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return int(new_v)


def same_padding(size, kernel, stride, rate):
    """kernel_shape_util.cc GetWindowedOutputSizeVerboseV2, Padding::SAME: (before, after)."""
    effective = (kernel - 1) * rate + 1
    out = (size + stride - 1) // stride
    needed = max(0, (out - 1) * stride + effective - size)
    return needed // 2, needed - needed // 2


# Only for the control in main(): PyTorch-style symmetric padding, to show that the inputs exercise TF's uneven split.
SYMMETRIC_CONTROL = False


def conv_same(x, w, stride=1, rate=1, groups=1, bias=None):
    """tf.nn.conv2d / depthwise_conv2d with padding='SAME' (w already OIHW)."""
    kh, kw = w.shape[2], w.shape[3]
    top, bottom = same_padding(x.shape[2], kh, stride, rate)
    left, right = same_padding(x.shape[3], kw, stride, rate)
    if SYMMETRIC_CONTROL:
        top = bottom = (kh - 1) // 2 * rate
        left = right = (kw - 1) // 2 * rate
    x = F.pad(x, (left, right, top, bottom))
    return F.conv2d(x, w, bias, stride=stride, dilation=rate, groups=groups)


def t64(w):
    """The reference computes in float64 from the float32 values of the bundle, so that its own rounding (and the
    order of its sums) is no part of the difference the test measures."""
    return torch.from_numpy(w).double()


def hwio(w):
    """slim.conv2d kernel [kh, kw, in, out] as torch's [out, in, kh, kw]."""
    return t64(w).permute(3, 2, 0, 1).contiguous()


def depthwise_hwim(w):
    """slim.separable_conv2d(num_outputs=None) kernel [kh, kw, in, multiplier] as torch's grouped [in*mult, 1, kh, kw]
    (output channel c*mult + m is input channel c's m-th filter, as tf.nn.depthwise_conv2d orders them)."""
    kh, kw, cin, mult = w.shape
    return t64(w).permute(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw).contiguous()


def batch_norm(x, W, scope, eps):
    """slim.batch_norm at inference (is_training False): center and scale True."""
    gamma = t64(W[scope + "/BatchNorm/gamma"]).view(1, -1, 1, 1)
    beta = t64(W[scope + "/BatchNorm/beta"]).view(1, -1, 1, 1)
    mean = t64(W[scope + "/BatchNorm/moving_mean"]).view(1, -1, 1, 1)
    var = t64(W[scope + "/BatchNorm/moving_variance"]).view(1, -1, 1, 1)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


def conv_bn(x, W, scope, eps, activation, stride=1, rate=1):
    """slim.conv2d with normalizer_fn=slim.batch_norm: no biases, SAME padding."""
    x = conv_same(x, hwio(W[scope + "/weights"]), stride, rate)
    return activation(batch_norm(x, W, scope, eps))


def depthwise_bn(x, W, scope, eps, activation, stride=1, rate=1):
    w = depthwise_hwim(W[scope + "/depthwise_weights"])
    x = conv_same(x, w, stride, rate, groups=x.shape[1])
    return activation(batch_norm(x, W, scope, eps))


def identity(x):
    return x


# ------------------------------------------------------------------------------------------------ MobileNetV2 (slim)

MOBILENET_EPS = 1e-3  # training_scope sets no epsilon: slim.batch_norm's default 0.001

# V2_DEF spec up to layer_18 (feature_extractor._MOBILENET_V2_FINAL_ENDPOINT; the 1x1 conv to 1280 is layer_19):
# (op, stride, num_outputs, expansion factor, expansion divisible_by)
V2_SPEC = [("conv", 2, 32, None, None), ("expanded", 1, 16, 1, 1)] + [
    ("expanded", s, c, 6, 8) for s, c in [(2, 24), (1, 24), (2, 32), (1, 32), (1, 32), (2, 64), (1, 64), (1, 64), (1, 64),
                                          (1, 96), (1, 96), (1, 96), (2, 160), (1, 160), (1, 160), (1, 320)]]


def layer_plan(depth_multiplier, output_stride):
    """mobilenet_base: each op's scope, output depth, stride and rate. Scopes are slim's default names: the first
    slim.conv2d is 'Conv', expanded_conv's default_name gives expanded_conv, expanded_conv_1, ..."""
    divisible_by = 8 if depth_multiplier == 1.0 else 1   # feature_extractor._mobilenet_v2
    min_depth = 8 if depth_multiplier == 1.0 else 1
    plan = []
    current_stride, rate, expanded = 1, 1, 0
    for op, stride, num_outputs, factor, factor_divisible in V2_SPEC:
        depth = make_divisible(num_outputs * depth_multiplier, divisible_by, min_depth)  # mobilenet.depth_multiplier
        if output_stride is not None and current_stride == output_stride:
            layer_stride, layer_rate = 1, rate
            rate *= stride
        else:
            layer_stride, layer_rate = stride, 1
            current_stride *= stride
        if op == "conv":
            scope = "MobilenetV2/Conv"
        else:
            scope = "MobilenetV2/expanded_conv" + ("_%d" % expanded if expanded else "")
            expanded += 1
        plan.append(dict(op=op, scope=scope, depth=depth, stride=layer_stride, rate=layer_rate,
                         factor=factor, factor_divisible=factor_divisible))
    return plan


def mobilenet_v2(x, W, plan):
    relu6 = lambda t: torch.clamp(t, 0, 6)  # noqa: E731  tf.nn.relu6 (V2_DEF defaults)
    for layer in plan:
        if layer["op"] == "conv":
            x = conv_bn(x, W, layer["scope"], MOBILENET_EPS, relu6, layer["stride"], layer["rate"])
            continue
        # conv_blocks.expanded_conv
        scope, inputs, prev = layer["scope"], x, x.shape[1]
        inner = make_divisible(prev * layer["factor"], layer["factor_divisible"])  # expand_input_by_factor
        if inner > x.shape[1]:
            x = conv_bn(x, W, scope + "/expand", MOBILENET_EPS, relu6)
        x = depthwise_bn(x, W, scope + "/depthwise", MOBILENET_EPS, relu6, layer["stride"], layer["rate"])
        x = conv_bn(x, W, scope + "/project", MOBILENET_EPS, identity)  # project_activation_fn=tf.identity
        if layer["stride"] == 1 and x.shape[1] == prev:
            x = x + inputs
    return x


# ------------------------------------------------------------------------------------------------ DeepLab head (model.py)

ASPP_EPS = 1e-5  # extract_features batch_norm_params


def scale_dimension(dim, scale):
    return int((float(dim) - 1.0) * scale + 1.0)


def resize_bilinear_align_corners(x, size):
    """tf.image.resize_bilinear(align_corners=True): source = dest * (in - 1) / (out - 1), as torch's align_corners."""
    if tuple(x.shape[2:]) == tuple(size):
        return x
    return F.interpolate(x, size=size, mode="bilinear", align_corners=True)


def deeplab_logits(images, W, plan, output_stride):
    """multi_scale_logits with image_pyramid [1.0] and crop_size = the image size; returns the logits resized to the
    image as predict_labels does before its argmax."""
    crop_h, crop_w = images.shape[2], images.shape[3]
    features = mobilenet_v2(images, W, plan)
    relu = torch.relu
    # extract_features, add_image_level_feature: avg_pool2d VALID with a kernel of the whole (crop_size / OS) map.
    pool_h = scale_dimension(crop_h, 1.0 / output_stride)
    pool_w = scale_dimension(crop_w, 1.0 / output_stride)
    assert (pool_h, pool_w) == tuple(features.shape[2:]), (pool_h, pool_w, features.shape)
    image_feature = F.avg_pool2d(features, (pool_h, pool_w), stride=(pool_h, pool_w))
    image_feature = conv_bn(image_feature, W, "image_pooling", ASPP_EPS, relu)
    image_feature = resize_bilinear_align_corners(image_feature, (pool_h, pool_w))
    branches = [image_feature, conv_bn(features, W, "aspp0", ASPP_EPS, relu)]
    # atrous_rates is None for mobilenet_v2: no aspp1..3.
    concat = conv_bn(torch.cat(branches, 1), W, "concat_projection", ASPP_EPS, relu)
    # concat_projection_dropout: slim.dropout is the identity when is_training is False.
    # get_branch_logits: atrous_rates [1] -> one 1x1 conv 'logits/semantic' with biases, no norm, no activation.
    logits = conv_same(concat, hwio(W["logits/semantic/weights"]), bias=t64(W["logits/semantic/biases"]))
    logits = resize_bilinear_align_corners(logits, (scale_dimension(crop_h, 1.0 / output_stride),
                                                    scale_dimension(crop_w, 1.0 / output_stride)))
    return features, resize_bilinear_align_corners(logits, (crop_h, crop_w))


# ------------------------------------------------------------------------------------------------ weights

def model_variables(depth_multiplier, num_classes=NUM_CLASSES):
    """name -> shape of every model variable, in creation order."""
    shapes = {}

    def conv(scope, k, cin, cout, bn=True):
        shapes[scope + "/weights"] = (k, k, cin, cout)
        if bn:
            for stat in ("gamma", "beta", "moving_mean", "moving_variance"):
                shapes[scope + "/BatchNorm/" + stat] = (cout,)

    channels = 3
    for layer in layer_plan(depth_multiplier, None):
        if layer["op"] == "conv":
            conv(layer["scope"], 3, channels, layer["depth"])
            channels = layer["depth"]
            continue
        inner = make_divisible(channels * layer["factor"], layer["factor_divisible"])
        if inner > channels:
            conv(layer["scope"] + "/expand", 1, channels, inner)
        else:
            inner = channels
        dw = layer["scope"] + "/depthwise"
        shapes[dw + "/depthwise_weights"] = (3, 3, inner, 1)
        for stat in ("gamma", "beta", "moving_mean", "moving_variance"):
            shapes[dw + "/BatchNorm/" + stat] = (inner,)
        conv(layer["scope"] + "/project", 1, inner, layer["depth"])
        channels = layer["depth"]
    conv("image_pooling", 1, channels, 256)
    conv("aspp0", 1, channels, 256)
    conv("concat_projection", 1, 512, 256)
    conv("logits/semantic", 1, 256, num_classes, bn=False)
    shapes["logits/semantic/biases"] = (num_classes,)
    return shapes


def random_weights(shapes, rng):
    """He-scaled kernels, BN near identity: activations stay O(1-10) and the logits depend strongly on the input (with
    smaller gains the BN shifts dominate and the output hardly changes with the input, which would test little)."""
    W = {}
    for name, shape in shapes.items():
        leaf = name.rsplit("/", 1)[1]
        if leaf in ("weights", "depthwise_weights"):
            fan_in = shape[0] * shape[1] * (1 if leaf == "depthwise_weights" else shape[2])
            W[name] = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        elif leaf == "gamma":
            W[name] = rng.uniform(0.6, 1.1, shape).astype(np.float32)
        elif leaf in ("beta", "moving_mean", "biases"):
            W[name] = (rng.standard_normal(shape) * 0.05).astype(np.float32)
        elif leaf == "moving_variance":
            W[name] = rng.uniform(0.8, 1.2, shape).astype(np.float32)
        else:
            raise KeyError(name)
    return W


def extras(W, rng):
    """What a TF DeepLab training checkpoint holds besides the model: the step counter, a MomentumOptimizer slot per
    trainable variable (not for moving statistics), and (as other TF trainings write) EMA shadows of some variables."""
    out = {"global_step": np.array(30000, dtype=np.int64)}
    for name, value in W.items():
        if not name.endswith(("moving_mean", "moving_variance")):
            out[name + "/Momentum"] = (rng.standard_normal(value.shape) * 1e-3).astype(np.float32)
    for name in ("logits/semantic/weights", "logits/semantic/biases", "MobilenetV2/Conv/weights"):
        out[name + "/ExponentialMovingAverage"] = W[name] * np.float32(0.5)
    return out


def count_parameters(shapes):
    """Learnable values: everything but the moving statistics (as PyTorch counts parameters, not buffers)."""
    return sum(int(np.prod(s)) for n, s in shapes.items() if not n.endswith(("moving_mean", "moving_variance")))


def same_padding_cases(results):
    """'SAME' convolutions on small odd and even sizes: at stride 1 the reference is torch's own padding='same' (which,
    like TF, puts an odd extra row/column after), at larger strides the transcription of kernel_shape_util.cc."""
    cases = [(h, w, k, s, d) for (h, w) in ((7, 8), (6, 5)) for k in (1, 3) for s in (1, 2, 3) for d in (1, 2)]
    cases += [(9, 4, 5, 2, 1), (9, 4, 5, 1, 3), (10, 11, 3, 2, 3), (4, 4, 2, 1, 1), (5, 6, 2, 2, 1)]
    for i, (h, w, k, s, d) in enumerate(cases):
        x = torch.randn(1, 2, h, w)
        weight = torch.randn(3, 2, k, k)
        if s == 1:
            with warnings.catch_warnings():  # torch notes that an even kernel needs a padded copy: expected here
                warnings.simplefilter("ignore", UserWarning)
                y = F.conv2d(x, weight, padding="same", dilation=d)
            assert torch.allclose(y, conv_same(x, weight, 1, d), atol=1e-6)
        else:
            y = conv_same(x, weight, s, d)
        results["same.%d.config" % i] = torch.tensor([h, w, k, s, d])
        results["same.%d.input" % i] = x
        results["same.%d.weight" % i] = weight
        results["same.%d.output" % i] = y
    results["same.count"] = torch.tensor(len(cases))


def main(out):
    torch.manual_seed(0)
    rng = np.random.default_rng(20251123)
    inputs = {"a": torch.rand(1, 3, 65, 67) * 2 - 1, "b": torch.rand(2, 3, 50, 44) * 2 - 1}
    results = {}
    for tag, dm in (("dm10", 1.0), ("dm05", 0.5)):
        shapes = model_variables(dm)
        W = random_weights(shapes, rng)
        folder = os.path.join(out, tag)
        os.makedirs(folder, exist_ok=True)
        bundle = dict(W)
        extra = extras(W, rng)
        bundle.update(extra)
        tf_bundle_writer.write_bundle(os.path.join(folder, "model.ckpt"), bundle)
        with open(os.path.join(folder, "variables.txt"), "w") as f:
            for name in sorted(bundle):
                kind = "model" if name in W else "extra"
                f.write("%s %s %s\n" % (name, ",".join(str(d) for d in np.shape(bundle[name])), kind))
        num_params = count_parameters(shapes)
        for os_ in (8, 16):
            config = "%s_os%d" % (tag, os_)
            results[config + ".num_params"] = torch.tensor(num_params)
            plan = layer_plan(dm, os_)
            with torch.no_grad():
                for name, x in inputs.items():
                    features, logits = deeplab_logits(x.double(), W, plan, os_)
                    results["%s.%s.input" % (config, name)] = x
                    results["%s.%s.features" % (config, name)] = features.float()
                    results["%s.%s.logits" % (config, name)] = logits.float()
                    if name == "b":
                        # Control: the same network with PyTorch's symmetric padding (what reusing a torchvision-style
                        # MobileNetV2 would compute), so the test can show its inputs tell the two apart.
                        global SYMMETRIC_CONTROL
                        SYMMETRIC_CONTROL = True
                        results["%s.b.logits_symmetric_padding" % config] = deeplab_logits(x.double(), W, plan, os_)[1].float()
                        SYMMETRIC_CONTROL = False
    # The real class counts, 21 (VOC) and 19 (Cityscapes), for the zoo's parameter counts.
    for classes in (21, 19):
        for tag, dm in (("dm10", 1.0), ("dm05", 0.5)):
            results["%s.classes%d.num_params" % (tag, classes)] = torch.tensor(count_parameters(model_variables(dm, classes)))
    same_padding_cases(results)
    torch.save(results, os.path.join(out, "outputs.pth"))


if __name__ == "__main__":
    main(sys.argv[1])
