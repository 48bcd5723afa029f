"""Reference for SegNets' ChainerCV networks: SegNetBasic, PSPNet (DilatedResNet-50/101) and DeepLabV3+ Xception65.

Chainer cannot run here, so this is a PyTorch transcription of chainer/chainercv@7159616642e0be7c5b3ef380b848e16b7e99355b
  chainercv/links/model/segnet/segnet_basic.py           (SegNetBasic)
  chainercv/experimental/links/model/pspnet/pspnet.py    (PyramidPoolingModule, DilatedResNet, PSPNet)
  chainercv/links/model/resnet/resblock.py               (ResBlock, Bottleneck)
  chainercv/links/model/deeplab/{deeplab_v3_plus,aspp,xception}.py  (Decoder, DeepLabV3plus, SeparableASPP,
                                                          XceptionBlock, Xception65)
  chainercv/links/connection/{conv_2d_bn_activ,separable_conv_2d_bn_activ}.py
written from those files and checked against them line by line; each class cites what it follows. The Chainer
functions they call are written out below from their definitions (chainer v7): L.Convolution2D (params W, b),
L.BatchNormalization at inference (gamma, beta, avg_mean, avg_var; default eps 2e-5), F.max_pooling_2d with the
default cover_all=True and its within-window indices, F.upsampling_2d, F.local_response_normalization,
F.average_pooling_2d (floor, pad 0) and F.resize_images (bilinear, align_corners=True).
It is NOT SegNets' C# code: the test compares the two.

Module attribute names are ChainerCV's link names, so this model's state-dict keys are ChainerCV's .npz keys with '/'
written '.'. Weights are synthetic_weights.py's, filled through chainer_to_segnets(): the rename rule a converter
from ChainerCV's .npz files to SegNets applies.

    /usr/bin/python3 tools/reference/chainercv_segmentation.py OUT_DIR {segnet|pspnet50|pspnet101|deeplab} [npz]

Writes OUT_DIR/outputs.pth (what is in it: see main()) and OUT_DIR/keys.txt, one line per state-dict key of the
transcription: the ChainerCV key ('.'-separated) and the SegNets key chainer_to_segnets() maps it to. With `npz` it
also writes OUT_DIR/chainer.npz: the same weights as chainer.serializers.save_npz would save them from the ChainerCV
link (see write_chainer_npz()), for the end-to-end test of SegNets' .npz reader and ChainerCV converter.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_weights  # noqa: E402

# ------------------------------------------------------------------------------------------------ Chainer -> SegNets

PARAMS = {"W": "weight", "b": "bias", "gamma": "weight", "beta": "bias",
          "avg_mean": "running_mean", "avg_var": "running_var"}
HEAD_LINKS = ("ppm", "head_conv1", "head_conv2", "aspp", "decoder")
SEPARABLE = {"depthwise": "conv_dw", "dw_bn": "bn_dw", "pointwise": "conv_pw", "pw_bn": "bn_pw"}


def xception_to_timm(parts):
    # ChainerCV Xception65 link names -> SegNets' Xception65 (timm layout)
    top = parts[0]
    if top.startswith("entryflow_conv"):
        return ["stem", str(int(top[len("entryflow_conv"):]) - 1)] + parts[1:]
    for prefix, offset in (("entryflow_block", -1), ("middleflow_block", 2), ("exitflow_block", 18)):
        if top.startswith(prefix):
            block = ["blocks", str(int(top[len(prefix):]) + offset)]
            rest = parts[1:]
            if rest[0] == "conv":
                return block + ["shortcut"] + rest[1:]
            return block + ["stack", "conv" + rest[0][len("separable"):], SEPARABLE[rest[1]]] + rest[2:]
    raise KeyError(".".join(parts))


def chainer_to_segnets(key):
    parts = key.split(".")
    parts[-1] = PARAMS[parts[-1]]
    if parts[0] == "extractor":
        parts[0] = "backbone"
    elif parts[0] == "feature_extractor":
        parts = ["backbone"] + xception_to_timm(parts[1:])
    elif parts[0] in HEAD_LINKS:
        parts = ["head"] + parts
    return ".".join(parts)

# ------------------------------------------------------------------------------------------------ Chainer primitives


class Convolution2D(nn.Module):
    # chainer.links.Convolution2D(in, out, ksize, stride, pad, nobias, dilate=, groups=): W (out, in/groups, k, k), b
    def __init__(self, in_channels, out_channels, ksize, stride=1, pad=0, nobias=False, dilate=1, groups=1):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(out_channels, in_channels // groups, ksize, ksize))
        self.b = None if nobias else nn.Parameter(torch.zeros(out_channels))
        self.stride, self.pad, self.dilate, self.groups = stride, pad, dilate, groups

    def forward(self, x):
        return F.conv2d(x, self.W, self.b, self.stride, self.pad, self.dilate, self.groups)


class BatchNormalization(nn.Module):
    # chainer.links.BatchNormalization(size, eps=2e-5) in test mode: fixed_batch_normalization
    # y = gamma * (x - avg_mean) / sqrt(avg_var + eps) + beta
    def __init__(self, size, eps=2e-5):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(size))
        self.beta = nn.Parameter(torch.zeros(size))
        self.register_buffer("avg_mean", torch.zeros(size))
        self.register_buffer("avg_var", torch.ones(size))
        self.eps = eps

    def forward(self, x):
        def c(t):
            return t[None, :, None, None]
        return c(self.gamma) * (x - c(self.avg_mean)) / torch.sqrt(c(self.avg_var) + self.eps) + c(self.beta)


def max_pooling_2d(x, k, s, p):
    # F.max_pooling_2d(x, k, s, p), cover_all=True: im2col pads with -inf by p on top/left and p + s - 1 on
    # bottom/right (out = (h + 2p - k + s - 1) // s + 1); the index is the argmax inside the k x k window (ky * k + kx).
    n, c, h, w = x.shape
    padded = F.pad(x, (p, p + s - 1, p, p + s - 1), value=float("-inf"))
    cols = padded.unfold(2, k, s).unfold(3, k, s)                  # n, c, oh, ow, k, k
    cols = cols.reshape(*cols.shape[:4], k * k)
    values, indices = cols.max(dim=-1)
    return values, indices


def upsampling_2d(x, indices, k, s, outsize):
    # F.upsampling_2d(x, indexes, ksize=k, stride=s, outsize): a zero column array (n, c, oh, ow, k, k) gets x at each
    # window's index, then col2im into outsize. With s == k windows do not overlap: col2im is a reshape, cropped.
    assert k == s
    n, c, h, w = x.shape
    cols = torch.zeros(n, c, h, w, k * k, dtype=x.dtype)
    cols.scatter_(4, indices.unsqueeze(-1), x.unsqueeze(-1))
    img = cols.reshape(n, c, h, w, k, k).permute(0, 1, 2, 4, 3, 5).reshape(n, c, h * k, w * k)
    return img[:, :, :outsize[0], :outsize[1]]


def local_response_normalization(x, n=5, k=1.0, alpha=1e-4, beta=0.75):
    # F.local_response_normalization: y = x * (k + alpha * sum over the n neighbouring channels of x^2) ^ -beta
    half = n // 2
    x2 = x * x
    s = x2.clone()
    for i in range(1, half + 1):
        s[:, i:] += x2[:, :-i]
        s[:, :-i] += x2[:, i:]
    return x * (k + alpha * s) ** -beta


def resize_images(x, size):
    # F.resize_images(x, size): bilinear on linspace(0, in - 1, out) grids = align_corners=True
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=True)


class Conv2DBNActiv(nn.Module):
    # conv_2d_bn_activ.py: Conv2DBNActiv(in, out, ksize, stride, pad, dilate, groups, nobias=True, activ=relu)
    def __init__(self, in_channels, out_channels, ksize, stride=1, pad=0, dilate=1, groups=1, activ=True, eps=2e-5):
        super().__init__()
        self.conv = Convolution2D(in_channels, out_channels, ksize, stride, pad, True, dilate, groups)
        self.bn = BatchNormalization(out_channels, eps)
        self.activ = activ

    def forward(self, x):
        h = self.bn(self.conv(x))
        return F.relu(h) if self.activ else h


class SeparableConv2DBNActiv(nn.Module):
    # separable_conv_2d_bn_activ.py: depthwise (groups=in) -> dw_bn -> dw_activ -> pointwise 1x1 -> pw_bn -> pw_activ
    def __init__(self, in_channels, out_channels, ksize, stride, pad, dilate, dw_activ, pw_activ, eps):
        super().__init__()
        self.depthwise = Convolution2D(in_channels, in_channels, ksize, stride, pad, True, dilate, in_channels)
        self.pointwise = Convolution2D(in_channels, out_channels, 1, 1, 0, True)
        self.dw_bn = BatchNormalization(in_channels, eps)
        self.pw_bn = BatchNormalization(out_channels, eps)
        self.dw_activ, self.pw_activ = dw_activ, pw_activ

    def set_dilate(self, d):
        self.depthwise.pad = self.depthwise.dilate = d

    def forward(self, x):
        h = self.dw_bn(self.depthwise(x))
        if self.dw_activ:
            h = F.relu(h)
        h = self.pw_bn(self.pointwise(h))
        return F.relu(h) if self.pw_activ else h

# ------------------------------------------------------------------------------------------------ SegNetBasic


class SegNetBasic(nn.Module):
    # segnet_basic.py SegNetBasic.__init__: conv{1..4} / conv_decode{4..1}: Convolution2D(., 64, 7, 1, 3, nobias=True)
    # each with a BatchNormalization(64) named <name>_bn; conv_classifier Convolution2D(64, n_class, 1, 1, 0) + bias
    def __init__(self, n_class):
        super().__init__()
        for name, cin in (("conv1", 3), ("conv2", 64), ("conv3", 64), ("conv4", 64), ("conv_decode4", 64),
                          ("conv_decode3", 64), ("conv_decode2", 64), ("conv_decode1", 64)):
            setattr(self, name, Convolution2D(cin, 64, 7, 1, 3, nobias=True))
            setattr(self, name + "_bn", BatchNormalization(64))
        self.conv_classifier = Convolution2D(64, n_class, 1, 1, 0)

    @staticmethod
    def _upsampling_2d(x, indices):
        # SegNetBasic._upsampling_2d: crop both to the common size, upsample into (2h, 2w)
        if x.shape != indices.shape:
            min_h = min(x.shape[2], indices.shape[2])
            min_w = min(x.shape[3], indices.shape[3])
            x = x[:, :, :min_h, :min_w]
            indices = indices[:, :, :min_h, :min_w]
        return upsampling_2d(x, indices, 2, 2, (x.shape[2] * 2, x.shape[3] * 2))

    def forward(self, x):
        # SegNetBasic.forward
        h = local_response_normalization(x, 5, 1, 1e-4 / 5., 0.75)
        h, indices1 = max_pooling_2d(F.relu(self.conv1_bn(self.conv1(h))), 2, 2, 0)
        h, indices2 = max_pooling_2d(F.relu(self.conv2_bn(self.conv2(h))), 2, 2, 0)
        h, indices3 = max_pooling_2d(F.relu(self.conv3_bn(self.conv3(h))), 2, 2, 0)
        h, indices4 = max_pooling_2d(F.relu(self.conv4_bn(self.conv4(h))), 2, 2, 0)
        h = self._upsampling_2d(h, indices4)
        h = self.conv_decode4_bn(self.conv_decode4(h))
        h = self._upsampling_2d(h, indices3)
        h = self.conv_decode3_bn(self.conv_decode3(h))
        h = self._upsampling_2d(h, indices2)
        h = self.conv_decode2_bn(self.conv_decode2(h))
        h = self._upsampling_2d(h, indices1)
        h = self.conv_decode1_bn(self.conv_decode1(h))
        return self.conv_classifier(h)


def predict_resize(score, size):
    # SegNetBasic.predict: if score.shape != (C, H, W): chainercv.transforms.resize(score, (H, W)), whose cv2 backend
    # is cv2.resize(INTER_LINEAR): half-pixel centres, no antialiasing = PyTorch bilinear, align_corners=False.
    if tuple(score.shape[2:]) == tuple(size):
        return score
    return F.interpolate(score, size=tuple(size), mode="bilinear", align_corners=False)

# ------------------------------------------------------------------------------------------------ PSPNet


class Bottleneck(nn.Module):
    # resblock.py Bottleneck, stride_first=False: conv1 1x1, conv2 3x3 (stride, pad=dilate, dilate), conv3 1x1 no activ;
    # residual_conv 1x1 (stride) no activ when asked; h += residual; relu
    def __init__(self, in_channels, mid_channels, out_channels, stride=1, dilate=1, residual_conv=False):
        super().__init__()
        self.conv1 = Conv2DBNActiv(in_channels, mid_channels, 1, 1, 0)
        self.conv2 = Conv2DBNActiv(mid_channels, mid_channels, 3, stride, dilate, dilate)
        self.conv3 = Conv2DBNActiv(mid_channels, out_channels, 1, 1, 0, activ=False)
        if residual_conv:
            self.residual_conv = Conv2DBNActiv(in_channels, out_channels, 1, stride, 0, activ=False)

    def forward(self, x):
        h = self.conv3(self.conv2(self.conv1(x)))
        residual = self.residual_conv(x) if hasattr(self, "residual_conv") else x
        return F.relu(h + residual)


class ResBlock(nn.Sequential):
    # resblock.py ResBlock: a (residual_conv, stride), b1 .. b{n-1} (stride 1), all with the same dilate
    def __init__(self, n_layer, in_channels, mid_channels, out_channels, stride, dilate=1):
        super().__init__()
        self.a = Bottleneck(in_channels, mid_channels, out_channels, stride, dilate, residual_conv=True)
        for i in range(n_layer - 1):
            setattr(self, "b{}".format(i + 1), Bottleneck(out_channels, mid_channels, out_channels, 1, dilate))


class DilatedResNet(nn.Module):
    # pspnet.py DilatedResNet (PickableSequentialChain; PSPNet picks res4, res5 and uses res5)
    _blocks = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3]}

    def __init__(self, n_layer):
        super().__init__()
        n_block = self._blocks[n_layer]
        self.conv1_1 = Conv2DBNActiv(3, 64, 3, 2, 1, 1)
        self.conv1_2 = Conv2DBNActiv(64, 64, 3, 1, 1, 1)
        self.conv1_3 = Conv2DBNActiv(64, 128, 3, 1, 1, 1)
        self.res2 = ResBlock(n_block[0], 128, 64, 256, 1, 1)
        self.res3 = ResBlock(n_block[1], 256, 128, 512, 2, 1)
        self.res4 = ResBlock(n_block[2], 512, 256, 1024, 1, 2)
        self.res5 = ResBlock(n_block[3], 1024, 512, 2048, 1, 4)

    def forward(self, x):
        h = self.conv1_3(self.conv1_2(self.conv1_1(x)))
        h, _ = max_pooling_2d(h, 3, 2, 1)  # pool1: F.max_pooling_2d(x, ksize=3, stride=2, pad=1)
        res4 = self.res4(self.res3(self.res2(h)))
        return res4, self.res5(res4)


class PyramidPoolingModule(nn.Module):
    # pspnet.py PyramidPoolingModule (a ChainList: children 0..3); ksizes = feat_size // pyramids
    def __init__(self, in_channels, feat_size, pyramids):
        super().__init__()
        out_channels = in_channels // len(pyramids)
        for i in range(len(pyramids)):
            self.add_module(str(i), Conv2DBNActiv(in_channels, out_channels, 1, 1, 0, 1))
        self.ksizes = [(feat_size[0] // p, feat_size[1] // p) for p in pyramids]

    def forward(self, x):
        ys = [x]
        H, W = x.shape[2:]
        for i, ksize in enumerate(self.ksizes):
            y = F.avg_pool2d(x, ksize, ksize)  # F.average_pooling_2d(x, ksize, ksize): pad 0, floor
            y = getattr(self, str(i))(y)
            ys.append(resize_images(y, (H, W)))
        return torch.cat(ys, dim=1)


class PSPNet(nn.Module):
    # pspnet.py PSPNet.__init__ / forward (pyramids [6, 3, 2, 1], feat_size = input_size // 8)
    def __init__(self, n_layer, n_class, input_size):
        super().__init__()
        self.extractor = DilatedResNet(n_layer)
        feat_size = (input_size[0] // 8, input_size[1] // 8)
        self.ppm = PyramidPoolingModule(2048, feat_size, [6, 3, 2, 1])
        self.head_conv1 = Conv2DBNActiv(4096, 512, 3, 1, 1)
        self.head_conv2 = Convolution2D(512, n_class, 1, 1, 0, False)

    def forward(self, x):
        _, res5 = self.extractor(x)
        h = self.head_conv2(self.head_conv1(self.ppm(res5)))
        return resize_images(h, x.shape[2:])

# ------------------------------------------------------------------------------------------------ DeepLabV3+


class XceptionBlock(nn.Module):
    # xception.py XceptionBlock
    def __init__(self, in_channels, depthlist, stride=1, dilate=1, skip_type="conv", activ_first=True, eps=1e-3,
                 dw_activ_list=(False, False, False), pw_activ_list=(True, True, False)):
        super().__init__()
        self.skip_type, self.activ_first = skip_type, activ_first
        self.separable2_activ = pw_activ_list[1]
        self.separable1 = SeparableConv2DBNActiv(in_channels, depthlist[0], 3, 1, dilate, dilate,
                                                 dw_activ_list[0], pw_activ_list[0], eps)
        self.separable2 = SeparableConv2DBNActiv(depthlist[0], depthlist[1], 3, 1, dilate, dilate,
                                                 dw_activ_list[1], False, eps)
        self.separable3 = SeparableConv2DBNActiv(depthlist[1], depthlist[2], 3, stride, dilate, dilate,
                                                 dw_activ_list[2], pw_activ_list[2], eps)
        if skip_type == "conv":
            self.conv = Conv2DBNActiv(in_channels, depthlist[2], 1, stride, 0, activ=False, eps=eps)

    def forward(self, x):
        h = F.relu(x) if self.activ_first else x
        h = self.separable2(self.separable1(h))
        separable2 = h
        if self.separable2_activ:
            h = F.relu(h)
        h = self.separable3(h)
        if self.skip_type == "conv":
            h = h + self.conv(x)
        elif self.skip_type == "sum":
            h = h + x
        if not self.activ_first:
            h = F.relu(h)
        return h, separable2


class Xception65(nn.Module):
    # xception.py Xception65 (bn_kwargs eps 1e-3 in every pretrained config)
    def __init__(self, eps=1e-3):
        super().__init__()
        self.entryflow_conv1 = Conv2DBNActiv(3, 32, 3, 2, 1, eps=eps)
        self.entryflow_conv2 = Conv2DBNActiv(32, 64, 3, 1, 1, eps=eps)
        self.entryflow_block1 = XceptionBlock(64, [128, 128, 128], stride=2, eps=eps)
        self.entryflow_block2 = XceptionBlock(128, [256, 256, 256], stride=2, eps=eps)
        self.entryflow_block3 = XceptionBlock(256, [728, 728, 728], stride=1, eps=eps)
        for i in range(1, 17):
            setattr(self, "middleflow_block{}".format(i),
                    XceptionBlock(728, [728, 728, 728], stride=1, dilate=2, skip_type="sum", eps=eps))
        self.exitflow_block1 = XceptionBlock(728, [728, 1024, 1024], stride=1, dilate=2, eps=eps)
        self.exitflow_block2 = XceptionBlock(1024, [1536, 1536, 2048], stride=1, dilate=4, skip_type="none",
                                             activ_first=False, eps=eps, dw_activ_list=(True, True, True),
                                             pw_activ_list=(True, True, True))

    def forward(self, x):
        h = self.entryflow_conv2(self.entryflow_conv1(x))
        h, _ = self.entryflow_block1(h)
        h, lowlevel = self.entryflow_block2(h)
        h, _ = self.entryflow_block3(h)
        for i in range(1, 17):
            h, _ = getattr(self, "middleflow_block{}".format(i))(h)
        h, _ = self.exitflow_block1(h)
        highlevel, _ = self.exitflow_block2(h)
        return lowlevel, highlevel


class SeparableASPP(nn.Module):
    # aspp.py SeparableASPP(in, out, dilate_list=(12, 24, 36), bn_kwargs)
    def __init__(self, in_channels, out_channels, dilate_list=(12, 24, 36), eps=1e-5):
        super().__init__()
        self.image_pooling_conv = Conv2DBNActiv(in_channels, out_channels, 1, eps=eps)
        self.conv1x1 = Conv2DBNActiv(in_channels, out_channels, 1, eps=eps)
        for i, d in enumerate(dilate_list):
            setattr(self, "atrous{}".format(i + 1),
                    SeparableConv2DBNActiv(in_channels, out_channels, 3, 1, d, d, True, True, eps))
        self.proj = Conv2DBNActiv(out_channels * 5, out_channels, 1, eps=eps)

    def image_pooling(self, x):
        _, _, H, W = x.shape
        x = self.image_pooling_conv(x.mean(dim=(2, 3), keepdim=True))  # F.average(x, axis=(2, 3), keepdims=True)
        B, C, _, _ = x.shape
        return x.expand(B, C, H, W)                                     # F.broadcast_to

    def forward(self, x):
        h = [self.image_pooling(x), self.conv1x1(x), self.atrous1(x), self.atrous2(x), self.atrous3(x)]
        return self.proj(torch.cat(h, dim=1))  # F.dropout: identity at inference


class Decoder(nn.Module):
    # deeplab_v3_plus.py Decoder(in, out, proj, depth, bn_kwargs): feature_proj gets NO bn_kwargs (eps 2e-5)
    def __init__(self, in_channels, out_channels, proj_channels, depth_channels, eps=1e-5):
        super().__init__()
        self.feature_proj = Conv2DBNActiv(in_channels, proj_channels, 1)
        concat_channels = in_channels + proj_channels
        self.conv1 = SeparableConv2DBNActiv(concat_channels, depth_channels, 3, 1, 1, 1, True, True, eps)
        self.conv2 = SeparableConv2DBNActiv(depth_channels, depth_channels, 3, 1, 1, 1, True, True, eps)
        self.conv_logits = Convolution2D(depth_channels, out_channels, 1, 1, 0)

    def forward(self, x, pool):
        x = self.feature_proj(x)
        pool = resize_images(pool, x.shape[2:])
        h = torch.cat((pool, x), dim=1)
        return self.conv_logits(self.conv2(self.conv1(h)))


class DeepLabV3plusXception65(nn.Module):
    # deeplab_v3_plus.py DeepLabV3plusXception65 with the pretrained configs' bn_kwargs (eps 1e-3 / 1e-5 / 1e-5)
    def __init__(self, n_class):
        super().__init__()
        self.feature_extractor = Xception65(eps=1e-3)
        self.aspp = SeparableASPP(2048, 256, eps=1e-5)
        self.decoder = Decoder(256, n_class, 48, 256, eps=1e-5)

    def forward(self, x):
        # DeepLabV3plus.forward: logits at output stride 4 (predict resizes softmax with F.resize_images)
        lowlevel, highlevel = self.feature_extractor(x)
        return self.decoder(lowlevel, self.aspp(highlevel)), lowlevel, highlevel

# ------------------------------------------------------------------------------------------------ main


def write_chainer_npz(net, path):
    # chainer/chainer@a8e15cbe:chainer/serializers/npz.py save_npz(file, obj, compression=True): a DictionarySerializer
    # visits the link tree (chainer/link.py Link.serialize: params, then persistents, then children by attribute name,
    # ChainList children by index) and stores each value under its '/'-joined path without a leading slash; then
    # numpy.savez_compressed(file, **target). The transcription's attribute names are the links' names and its
    # parameters/buffers are Chainer's (W, b, gamma, beta, avg_mean, avg_var), so its state dict is that target with
    # '.' written '/'. BatchNormalization also registers the persistent N (batch_normalization.py: self.N = 0;
    # register_persistent('N'), a Python int, i.e. a 0-d int64 array), which the transcription has no use for.
    target = {}
    for name, module in net.named_modules():
        prefix = name.replace(".", "/") + "/" if name else ""
        for pname, value in list(module.named_parameters(recurse=False)) + list(module.named_buffers(recurse=False)):
            target[prefix + pname] = value.detach().numpy().copy()
        if isinstance(module, BatchNormalization):
            target[prefix + "N"] = np.asarray(1234)
    np.savez_compressed(path, **target)


def count(model):
    return sum(p.numel() for p in model.parameters())


def main(out, which, npz=False):
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(20261201)
    record = {}
    with torch.no_grad():
        if which == "segnet":
            # 'even': every stage even (the score has the input's size); 'odd': 45 rows -> 23 -> unpooled to 46 and
            # 61 columns, so the score is larger than the input and predict's resize applies.
            net = SegNetBasic(11)
            synthetic_weights.fill_renamed(net, chainer_to_segnets)
            record["num_params"] = torch.tensor(count(net))
            for tag, shape in (("even", (1, 3, 48, 64)), ("odd", (1, 3, 45, 61))):
                x = torch.rand(*shape, generator=g) * 255
                score = net(x)
                record[f"{tag}.input"], record[f"{tag}.score"] = x, score
                record[f"{tag}.output"] = predict_resize(score, shape[2:])
            # unpooling alone: pool a 45x61 map twice, unpool the 12x16 result into 24x32, then (cropped to the
            # first pooling's 23x31) into 46x62 — the chain of SegNetBasic's decoder without the convs.
            x = torch.randn(1, 2, 45, 61, generator=g)
            p1, i1 = max_pooling_2d(x, 2, 2, 0)
            p2, i2 = max_pooling_2d(p1, 2, 2, 0)
            u2 = SegNetBasic._upsampling_2d(p2, i2)
            record["unpool.input"], record["unpool.once"] = x, u2
            record["unpool.twice"] = SegNetBasic._upsampling_2d(u2, i1)
        elif which in ("pspnet50", "pspnet101"):
            # input_size (65, 73): feat_size (8, 9), pyramid kernels (1,1) (2,3) (4,4) (8,9); the real res5 is 9x10, as
            # 713's configured 89 meets a 90x90 map.
            net = PSPNet(int(which[len("pspnet"):]), 5, (65, 73))
            synthetic_weights.fill_renamed(net, chainer_to_segnets)
            record["num_params"] = torch.tensor(count(net))
            x = torch.randn(1, 3, 65, 73, generator=g)
            record["input"] = x
            record["c5"] = net.extractor(x)[1]
            record["output"] = net(x)
        elif which == "deeplab":
            net = DeepLabV3plusXception65(5)
            synthetic_weights.fill_renamed(net, chainer_to_segnets)
            record["num_params"] = torch.tensor(count(net))
            x = torch.randn(1, 3, 50, 58, generator=g)
            record["input"] = x
            for tag, rates in (("rates12", (12, 24, 36)), ("rates123", (1, 2, 3))):
                for i, d in enumerate(rates):
                    getattr(net.aspp, "atrous{}".format(i + 1)).set_dilate(d)
                logits, low, high = net(x)
                record[f"{tag}.logits"] = logits
                record[f"{tag}.output"] = resize_images(logits, x.shape[2:])
                record["c2"], record["c5"] = low, high
        else:
            raise SystemExit("unknown network " + which)
    print(which + ": " + ", ".join(f"{k} {tuple(v.shape)} max|x| {v.abs().max():.3g}" for k, v in record.items()))
    torch.save(record, os.path.join(out, "outputs.pth"))
    with open(os.path.join(out, "keys.txt"), "w") as f:
        f.writelines(f"{k} {chainer_to_segnets(k)}\n" for k in net.state_dict())
    if npz:
        write_chainer_npz(net, os.path.join(out, "chainer.npz"))


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[3] != "npz":
        raise SystemExit("the third argument, if any, is 'npz'")
    main(sys.argv[1], sys.argv[2], len(sys.argv) > 3)
