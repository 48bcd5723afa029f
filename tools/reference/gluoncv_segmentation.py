"""Reference outputs for SegNets' GluonCV segmentation models: FCN, PSPNet and DeepLabV3 on the dilated ResNetV1s
(and ResNeSt) backbones, and DeepLabV3b+ on WideResNet-38 ("VPLR", deeplab_v3b_plus_wideresnet_citys).

GluonCV is MXNet code that cannot run here. This file is a PyTorch TRANSCRIPTION written from GluonCV's source and
checked against it line by line; it is neither GluonCV itself nor SegNets' C# code (the tests compare the two).
Source read: dmlc/gluon-cv@567775619f3b97d47e7c360748912a4fd883ff52, files gluoncv/model_zoo/{segbase,fcn,pspnet,
deeplabv3,deeplabv3b_plus,resnetv1b,resnest,wideresnet}.py and gluoncv/nn/{splat,dropblock}.py. The WideResNet-38
backbone is imported from gluoncv_wideresnet38.py (written from @19d5765a; wideresnet.py differs from
@567775619f3b only in formatting and `out = out + shortcut` for `out += shortcut`, same function).
MXNet operators used by those files, and their PyTorch equivalents here:
  * contrib.BilinearResize2D(height, width): bilinear with align_corners=True (src = dst * (in - 1) / (out - 1);
    a 1x1 input is broadcast) -> F.interpolate(mode='bilinear', align_corners=True).
  * contrib.AdaptiveAvgPooling2D(output_size): bins [floor(i*in/out), ceil((i+1)*in/out)), mean over the bin; read in
    apache/mxnet@033a6755 src/operator/contrib/adaptive_avg_pooling.cc (and .cu): START_IND/END_IND are the same
    floor/ceil as PyTorch's adaptive_avg_pool2d, so F.adaptive_avg_pool2d.
  * GlobalAvgPool2D = adaptive average pooling to 1x1; BatchNorm eps 1e-5 (inference uses running statistics);
    MaxPool2D(3, 2, 1) floor mode; AvgPool2D(k, s, ceil_mode=True, count_include_pad=False) and AvgPool2D(3, s, 1)
    (count_include_pad True) have the same meaning in both frameworks. Dropout / DropBlock: identity at inference.

Code path. GluonCV's hybridized forward() sizes every resize from the CONFIGURED crop size (PSP pyramid upsample to
crop//8, DeepLab ASPP image-pool upsample to crop//8, VPLR decoder upsample to crop//2 and its image pool to
crop//8, final upsample to crop), so it only works for crop-sized inputs. For arbitrary inputs GluonCV has
predict()/demo(), which take every size from the tensors: FCN uses SegBaseModel.predict (sets _up_kwargs to the
input size and calls forward: FCN has no other size), PSPNet.predict -> _PSPHead.demo -> _PyramidPooling.demo,
DeepLabV3.predict -> _DeepLabHead.demo (sets the image-pool branch's size to c4's), DeepLabWV3Plus.predict ->
_DeepLabHead.demo (decoder upsample to m2's size) -> _ASPP.demo -> _AsppPooling.demo. THIS FILE IMPLEMENTS THAT
predict() PATH. For a crop-sized input whose side is a multiple of 8 (480 by default) the feature maps are exactly
crop/8 (and crop/2 for VPLR's m2), so forward() computes the same function there. predict() of PSPNet/DeepLabV3
returns only the main output; 'aux' here is forward()'s aux branch (auxlayer on c3, then BilinearResize2D to
_up_kwargs, which predict() has set to the input size).

Names. GluonCV's parameter names (save_parameters, structural) are kept, with PyTorch's weight/bias/running_mean/
running_var for Gluon's gamma/beta/running_mean/running_var, EXCEPT that the backbone sits under `backbone.`:
GluonCV's SegBaseModel copies conv1/bn1/layer1..4 onto the segmentation model itself (keys `conv1.0.weight`,
`layer1.0.conv1.weight` ...), and DeepLabWV3Plus likewise holds mod1..mod7 directly (`mod1.0.weight`); strip the
`backbone.` prefix to get GluonCV's own names.

    /usr/bin/python3 tools/reference/gluoncv_segmentation.py OUT_DIR MODEL [params]

MODEL: fcn, psp, deeplab (ResNet-50 v1s, dilated, aux), deeplab_resnest50 (ResNeSt-50, dilated, aux), vplr (no aux).
Writes OUT_DIR/outputs.pth: 'input' (1x3x50x58, seeded), 'main', 'aux' (not for vplr), both at the input size,
'num_params' (learnable parameters incl. auxlayer, int64) and 'num_params.<gluoncv zoo name>' for the zoo
configurations of that head (built without a forward; see ZOO). nclass 5; weights from synthetic_weights.fill.
With `params`, OUT_DIR also gets those weights as GluonCV ships them: `gluoncv_<MODEL>-<sha1[:8]>.zip` holding
`gluoncv_<MODEL>-<sha1[:8]>.params` (model_store.py layout), an MXNet NDArray list file in Gluon save_parameters names
(`backbone.` stripped, BatchNorm weight/bias -> gamma/beta, no num_batches_tracked), written by mxnet_params_writer.py.
"""
import hashlib
import os
import sys
import time
import zipfile

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_weights  # noqa: E402
from gluoncv_wideresnet38 import WiderResNetA2  # noqa: E402


def resize(x, height, width):
    # MXNet contrib.BilinearResize2D(x, height=, width=) as used throughout GluonCV (align_corners semantics)
    return F.interpolate(x, size=(height, width), mode="bilinear", align_corners=True)


def batchnorm(channels):
    # gluon.nn.BatchNorm(in_channels=channels): epsilon 1e-5, momentum 0.9
    return nn.BatchNorm2d(channels, eps=1e-5, momentum=0.1)


# ---------------------------------------------------------------------------------------------------------------
# Backbone 1: resnetv1b.py, ResNetV1b(BottleneckV1b, layers, deep_stem=True, stem_width=64, dilated=True) = the
# resnet{50,101,152}_v1s that segbase.get_backbone returns for 'resnet50/101/152'.

class BottleneckV1b(nn.Module):
    # resnetv1b.py BottleneckV1b (lines 57-106): 1x1 -> BN -> ReLU -> 3x3(strides, padding=dilation, dilation) -> BN
    # -> ReLU -> 1x1(planes*4) -> BN; + downsample(x) or x; ReLU. All convs without bias.
    def __init__(self, inplanes, planes, strides=1, dilation=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = batchnorm(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, strides, dilation, dilation, bias=False)
        self.bn2 = batchnorm(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = batchnorm(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        residual = x if self.downsample is None else self.downsample(x)
        return F.relu(out + residual)


class ResNetV1bDilated(nn.Module):
    # resnetv1b.py ResNetV1b.__init__ (lines 147-200) with deep_stem=True, stem_width=64, avg_down=False,
    # dilated=True; no avgpool/fc (SegBaseModel.__init__, segbase.py lines 74-83, keeps conv1 .. layer4 only).
    def __init__(self, layers, stem_width=64):
        super().__init__()
        self.inplanes = stem_width * 2
        self.conv1 = nn.Sequential(
            nn.Conv2d(3, stem_width, 3, 2, 1, bias=False), batchnorm(stem_width), nn.ReLU(),
            nn.Conv2d(stem_width, stem_width, 3, 1, 1, bias=False), batchnorm(stem_width), nn.ReLU(),
            nn.Conv2d(stem_width, stem_width * 2, 3, 1, 1, bias=False))
        self.bn1 = batchnorm(stem_width * 2)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], strides=2)
        self.layer3 = self._make_layer(256, layers[2], strides=1, dilation=2)
        self.layer4 = self._make_layer(512, layers[3], strides=1, dilation=4)

    def _make_layer(self, planes, blocks, strides=1, dilation=1):
        # ResNetV1b._make_layer (lines 202-246), avg_down=False: downsample = [1x1 conv(strides), BN] when strides != 1
        # or inplanes != 4*planes; block 0 has dilation 1 (stage dilation 1 or 2) or 2 (stage dilation 4); the other
        # blocks have the stage dilation.
        downsample = None
        if strides != 1 or self.inplanes != planes * 4:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * 4, 1, strides, bias=False),
                                       batchnorm(planes * 4))
        first = 1 if dilation in (1, 2) else 2
        mods = [BottleneckV1b(self.inplanes, planes, strides, first, downsample)]
        self.inplanes = planes * 4
        mods += [BottleneckV1b(self.inplanes, planes, 1, dilation) for _ in range(1, blocks)]
        return nn.Sequential(*mods)

    def forward(self, x):
        # SegBaseModel.base_forward (segbase.py lines 90-100): returns c3 = layer3, c4 = layer4
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        x = self.layer2(self.layer1(x))
        c3 = self.layer3(x)
        return c3, self.layer4(c3)


# ---------------------------------------------------------------------------------------------------------------
# Backbone 2: resnest.py ResNeSt(Bottleneck, layers, radix=2, cardinality=1, bottleneck_width=64, deep_stem=True,
# avg_down=True, avd=True, avd_first=False, use_splat=True, dilated=True) with nn/splat.py SplitAttentionConv.

class SplitAttentionConv(nn.Module):
    # gluoncv/nn/splat.py SplitAttentionConv (lines 8-63), norm_layer BatchNorm, drop_ratio 0, r=2
    def __init__(self, in_channels, channels, dilation, radix=2, groups=1, r=2):
        super().__init__()
        inter = max(in_channels * radix // 2 // r, 32)
        self.radix, self.cardinality, self.channels = radix, groups, channels
        self.conv = nn.Conv2d(in_channels, channels * radix, 3, 1, dilation, dilation, groups=groups * radix,
                              bias=False)
        self.bn = batchnorm(channels * radix)
        self.fc1 = nn.Conv2d(channels, inter, 1, groups=groups)  # Conv2D default use_bias=True
        self.bn1 = batchnorm(inter)
        self.fc2 = nn.Conv2d(inter, channels * radix, 1, groups=groups)

    def forward(self, x):
        # hybrid_forward, radix > 1 branch
        x = F.relu(self.bn(self.conv(x)))
        b, _, h, w = x.shape
        splited = x.reshape(b, self.radix, self.channels, h, w)
        gap = F.adaptive_avg_pool2d(splited.sum(1), 1)
        atten = F.relu(self.bn1(self.fc1(gap)))
        atten = self.fc2(atten).reshape(b, self.cardinality, self.radix, -1).transpose(1, 2)
        atten = F.softmax(atten, dim=1).reshape(b, self.radix, -1, 1, 1)
        return (atten * splited).sum(1)


class ResNeStBottleneck(nn.Module):
    # resnest.py Bottleneck (lines 27-129) with use_splat, avd, not avd_first, cardinality 1, width 64; dropblock is
    # inference-identity and has no parameters. avd iff strides > 1 or previous_dilation != dilation: then conv2 has
    # stride 1 and AvgPool2D(3, strides, padding=1) (count_include_pad True) follows it.
    def __init__(self, inplanes, planes, strides=1, dilation=1, previous_dilation=1, downsample=None):
        super().__init__()
        width = planes
        self.avd = strides > 1 or previous_dilation != dilation
        self.strides = strides
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = batchnorm(width)
        self.conv2 = SplitAttentionConv(width, width, dilation)
        if not self.avd:
            assert strides == 1
        self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False)
        self.bn3 = batchnorm(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.conv2(out)
        if self.avd:
            out = F.avg_pool2d(out, 3, self.strides, 1, count_include_pad=True)
        out = self.bn3(self.conv3(out))
        residual = x if self.downsample is None else self.downsample(x)
        return F.relu(out + residual)


class AvgDown(nn.Module):
    # resnest.py _make_layer's avg_down pool (lines 267-277): AvgPool2D(k, k, ceil_mode=True, count_include_pad=False)
    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        if self.k == 1:
            return x
        return F.avg_pool2d(x, self.k, self.k, 0, ceil_mode=True, count_include_pad=False)


class ResNeStDilated(nn.Module):
    # resnest.py ResNeSt.__init__ (lines 166-258), deep_stem, dilated=True branch (layer3: dilation 2, layer4: dilation
    # 4 with pre_dilation 2); no avgpool/fc.
    def __init__(self, layers, stem_width=32):
        super().__init__()
        self.inplanes = stem_width * 2
        self.conv1 = nn.Sequential(
            nn.Conv2d(3, stem_width, 3, 2, 1, bias=False), batchnorm(stem_width), nn.ReLU(),
            nn.Conv2d(stem_width, stem_width, 3, 1, 1, bias=False), batchnorm(stem_width), nn.ReLU(),
            nn.Conv2d(stem_width, stem_width * 2, 3, 1, 1, bias=False))
        self.bn1 = batchnorm(stem_width * 2)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], strides=2)
        self.layer3 = self._make_layer(256, layers[2], strides=1, dilation=2)
        self.layer4 = self._make_layer(512, layers[3], strides=1, dilation=4, pre_dilation=2)

    def _make_layer(self, planes, blocks, strides=1, dilation=1, pre_dilation=1):
        # ResNeSt._make_layer (lines 260-326) with avg_down: downsample = [AvgPool2D(strides, strides) if pre_dilation
        # is 1, else AvgPool2D(1, 1) (strides is 1 whenever pre_dilation is not 1 here), 1x1 conv, BN] -> keys
        # downsample.{1,2}. Block 0 has dilation pre_dilation and previous_dilation = the stage dilation.
        downsample = None
        if strides != 1 or self.inplanes != planes * 4:
            assert pre_dilation == 1 or strides == 1
            downsample = nn.Sequential(AvgDown(strides if pre_dilation == 1 else 1),
                                       nn.Conv2d(self.inplanes, planes * 4, 1, bias=False), batchnorm(planes * 4))
        mods = [ResNeStBottleneck(self.inplanes, planes, strides, pre_dilation, dilation, downsample)]
        self.inplanes = planes * 4
        mods += [ResNeStBottleneck(self.inplanes, planes, 1, dilation, dilation) for _ in range(1, blocks)]
        return nn.Sequential(*mods)

    forward = ResNetV1bDilated.forward


# ---------------------------------------------------------------------------------------------------------------
# Heads (fcn.py, pspnet.py, deeplabv3.py)

class FCNHead(nn.Module):
    # fcn.py _FCNHead (lines 71-90): block = [3x3 in->in/4 no bias, BN, ReLU, Dropout(0.1), 1x1 ->nclass with bias]
    def __init__(self, in_channels, nclass):
        super().__init__()
        inter = in_channels // 4
        self.block = nn.Sequential(nn.Conv2d(in_channels, inter, 3, 1, 1, bias=False), batchnorm(inter), nn.ReLU(),
                                   nn.Dropout(0.1), nn.Conv2d(inter, nclass, 1))

    def forward(self, x):
        return self.block(x)


def conv1x1_bn_relu(in_channels, out_channels):
    # pspnet.py _PSP1x1Conv (lines 78-85) and deeplabv3.py _ASPP's b0 (lines 147-152): [1x1 no bias, BN, ReLU]
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, bias=False), batchnorm(out_channels), nn.ReLU())


class PyramidPooling(nn.Module):
    # pspnet.py _PyramidPooling (lines 88-120), demo(): bins 1, 2, 3, 6 by AdaptiveAvgPooling2D, each through its
    # 1x1 conv, resized to x's own size; concat [x, feat1, feat2, feat3, feat4]
    def __init__(self, in_channels):
        super().__init__()
        out = in_channels // 4
        self.conv1 = conv1x1_bn_relu(in_channels, out)
        self.conv2 = conv1x1_bn_relu(in_channels, out)
        self.conv3 = conv1x1_bn_relu(in_channels, out)
        self.conv4 = conv1x1_bn_relu(in_channels, out)

    def forward(self, x):
        h, w = x.shape[2:]
        feats = [resize(conv(F.adaptive_avg_pool2d(x, size)), h, w)
                 for conv, size in ((self.conv1, 1), (self.conv2, 2), (self.conv3, 3), (self.conv4, 6))]
        return torch.cat([x] + feats, 1)


class PSPHead(nn.Module):
    # pspnet.py _PSPHead (lines 122-145), demo(): psp, then block = [3x3 4096->512 no bias, BN, ReLU, Dropout(0.1),
    # 1x1 512->nclass with bias]
    def __init__(self, nclass):
        super().__init__()
        self.psp = PyramidPooling(2048)
        self.block = nn.Sequential(nn.Conv2d(4096, 512, 3, 1, 1, bias=False), batchnorm(512), nn.ReLU(),
                                   nn.Dropout(0.1), nn.Conv2d(512, nclass, 1))

    def forward(self, x):
        return self.block(self.psp(x))


def aspp_conv(in_channels, out_channels, rate):
    # deeplabv3.py / deeplabv3b_plus.py _ASPPConv: [3x3 padding=rate dilation=rate no bias, BN, ReLU]
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, 1, rate, rate, bias=False), batchnorm(out_channels),
                         nn.ReLU())


class AsppPooling(nn.Module):
    # deeplabv3.py _AsppPooling (lines 124-140) / deeplabv3b_plus.py (lines 148-172, demo): gap = [GlobalAvgPool2D,
    # 1x1 no bias, BN, ReLU], then BilinearResize2D to x's size (predict path; a 1x1 map is broadcast)
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.gap = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(in_channels, out_channels, 1, bias=False),
                                 batchnorm(out_channels), nn.ReLU())

    def forward(self, x):
        return resize(self.gap(x), x.shape[2], x.shape[3])


class ASPP(nn.Module):
    # deeplabv3.py _ASPP (lines 142-179): concurent = HybridConcurrent(axis=1) of [b0, b1, b2, b3, b4] (concat in
    # that order, pooling LAST), project = [1x1 1280->256 no bias, BN, ReLU, Dropout(0.5)]
    def __init__(self, in_channels, rates=(12, 24, 36), out_channels=256):
        super().__init__()
        self.concurent = nn.ModuleList([conv1x1_bn_relu(in_channels, out_channels)] +
                                       [aspp_conv(in_channels, out_channels, r) for r in rates] +
                                       [AsppPooling(in_channels, out_channels)])
        self.project = nn.Sequential(nn.Conv2d(5 * out_channels, out_channels, 1, bias=False),
                                     batchnorm(out_channels), nn.ReLU(), nn.Dropout(0.5))

    def forward(self, x):
        return self.project(torch.cat([branch(x) for branch in self.concurent], 1))


class DeepLabHead(nn.Module):
    # deeplabv3.py _DeepLabHead (lines 86-111), demo(): aspp(2048, [12, 24, 36]), block = [3x3 256->256 no bias, BN,
    # ReLU, Dropout(0.1), 1x1 256->nclass with bias]
    def __init__(self, nclass):
        super().__init__()
        self.aspp = ASPP(2048)
        self.block = nn.Sequential(nn.Conv2d(256, 256, 3, 1, 1, bias=False), batchnorm(256), nn.ReLU(),
                                   nn.Dropout(0.1), nn.Conv2d(256, nclass, 1))

    def forward(self, x):
        return self.block(self.aspp(x))


class SegModel(nn.Module):
    # FCN (fcn.py 12-68), PSPNet (pspnet.py 13-76), DeepLabV3 (deeplabv3.py 18-83): base_forward -> c3, c4;
    # main = BilinearResize2D(head(c4)) and aux = BilinearResize2D(auxlayer(c3)) (auxlayer = _FCNHead(1024)),
    # both to the input size (predict() sets _up_kwargs to x.shape[2:])
    def __init__(self, backbone, head):
        super().__init__()
        self.backbone = backbone
        self.head = head
        self.auxlayer = FCNHead(1024, head_nclass(head))

    def forward(self, x):
        h, w = x.shape[2:]
        c3, c4 = self.backbone(x)
        return resize(self.head(c4), h, w), resize(self.auxlayer(c3), h, w)


def head_nclass(head):
    return head.block[-1].out_channels


# ---------------------------------------------------------------------------------------------------------------
# VPLR: deeplabv3b_plus.py DeepLabWV3Plus + _DeepLabHead + _ASPP (its own copies, different from deeplabv3.py's)

class VplrASPP(nn.Module):
    # deeplabv3b_plus.py _ASPP (lines 174-214), demo(): children b0 [1x1, BN, ReLU], b1..b3 (_ASPPConv 12/24/36),
    # b4 (_AsppPooling, resized to x's size); concat [b4, b0, b1, b2, b3] (pooling FIRST); project = [1x1 1280->256
    # no bias] only (no BN, ReLU or dropout)
    def __init__(self, in_channels, rates=(12, 24, 36), out_channels=256):
        super().__init__()
        self.b0 = conv1x1_bn_relu(in_channels, out_channels)
        self.b1 = aspp_conv(in_channels, out_channels, rates[0])
        self.b2 = aspp_conv(in_channels, out_channels, rates[1])
        self.b3 = aspp_conv(in_channels, out_channels, rates[2])
        self.b4 = AsppPooling(in_channels, out_channels)
        self.project = nn.Sequential(nn.Conv2d(5 * out_channels, out_channels, 1, bias=False))

    def forward(self, x):
        feats = [self.b4(x), self.b0(x), self.b1(x), self.b2(x), self.b3(x)]
        return self.project(torch.cat(feats, 1))


class VplrHead(nn.Module):
    # deeplabv3b_plus.py _DeepLabHead (lines 94-135), demo(x, c1): c1 = c1_block(c1) (1x1 128->48, no bias, nothing
    # else); x = aspp(x) resized to c1's size; block(concat [c1, x]) with block = [3x3 304->256, BN, ReLU, 3x3 256->256,
    # BN, ReLU, 1x1 256->nclass], all convs without bias
    def __init__(self, nclass, c1_channels=128):
        super().__init__()
        self.aspp = VplrASPP(4096)
        self.c1_block = nn.Sequential(nn.Conv2d(c1_channels, 48, 1, bias=False))
        self.block = nn.Sequential(nn.Conv2d(304, 256, 3, 1, 1, bias=False), batchnorm(256), nn.ReLU(),
                                   nn.Conv2d(256, 256, 3, 1, 1, bias=False), batchnorm(256), nn.ReLU(),
                                   nn.Conv2d(256, nclass, 1, bias=False))

    def forward(self, x, c1):
        c1 = self.c1_block(c1)
        x = resize(self.aspp(x), c1.shape[2], c1.shape[3])
        return self.block(torch.cat([c1, x], 1))


class Vplr(nn.Module):
    # deeplabv3b_plus.py DeepLabWV3Plus (lines 10-92), predict(): WiderResNetA2 "38" dilated (mod1..mod7, pool2, pool3;
    # bn_out and classifier not used), m2 = mod2(pool2(mod1(x))), x = mod7(...mod3(pool3(m2))); head.demo(x, m2);
    # BilinearResize2D to the input size. aux=False: no auxlayer.
    def __init__(self, nclass):
        super().__init__()
        self.backbone = WiderResNetA2(dilation=True)
        self.head = VplrHead(nclass)

    def forward(self, x):
        stages = self.backbone.stages(x)
        return (resize(self.head(stages["c5"], stages["c1"]), x.shape[2], x.shape[3]),)


# ---------------------------------------------------------------------------------------------------------------

DEPTHS = {"resnet50": [3, 4, 6, 3], "resnet101": [3, 4, 23, 3], "resnet152": [3, 8, 36, 3]}
RESNEST = {"resnest50": ([3, 4, 6, 3], 32), "resnest101": ([3, 4, 23, 3], 64), "resnest200": ([3, 24, 36, 3], 64),
           "resnest269": ([3, 30, 48, 8], 64)}
HEADS = {"fcn": lambda n: FCNHead(2048, n), "psp": PSPHead, "deeplab": DeepLabHead}


def build(head, backbone, nclass):
    if head == "vplr":
        return Vplr(nclass)
    if backbone in RESNEST:
        layers, stem = RESNEST[backbone]
        net = ResNeStDilated(layers, stem)
    else:
        net = ResNetV1bDilated(DEPTHS[backbone])
    return SegModel(net, HEADS[head](nclass))


MODELS = {"fcn": ("fcn", "resnet50"), "psp": ("psp", "resnet50"), "deeplab": ("deeplab", "resnet50"),
          "deeplab_resnest50": ("deeplab", "resnest50"), "vplr": ("vplr", None)}
# zoo configurations whose learnable-parameter counts are recorded: (head, backbone, classes)
ZOO = {"fcn": {"fcn_resnet101_voc": ("fcn", "resnet101", 21), "fcn_resnet50_ade": ("fcn", "resnet50", 150)},
       "psp": {"psp_resnet101_voc": ("psp", "resnet101", 21), "psp_resnet101_citys": ("psp", "resnet101", 19)},
       "deeplab": {"deeplab_resnet101_voc": ("deeplab", "resnet101", 21),
                   "deeplab_resnet152_voc": ("deeplab", "resnet152", 21),
                   "deeplab_resnet50_ade": ("deeplab", "resnet50", 150)},
       "deeplab_resnest50": {"deeplab_resnest50_ade": ("deeplab", "resnest50", 150)},
       "vplr": {"deeplab_v3b_plus_wideresnet_citys": ("vplr", None, 19)}}


def count(model):
    return sum(p.numel() for p in model.parameters())


def count_without_init(head, backbone, nclass):
    # only the shapes matter: skip the default initialisers (slow for 100M+ parameters)
    saved = {cls: cls.reset_parameters for cls in (nn.Conv2d, nn.BatchNorm2d, nn.Linear)}
    try:
        for cls in saved:
            cls.reset_parameters = lambda self: None
        return count(build(head, backbone, nclass))
    finally:
        for cls, fn in saved.items():
            cls.reset_parameters = fn


def gluon_params(model):
    """The model's weights under the names Gluon's save_parameters gives them (see the docstring)."""
    bn = {n for n, m in model.named_modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)}
    arrays = {}
    for key, value in model.state_dict().items():
        module, _, leaf = key.rpartition(".")
        if leaf == "num_batches_tracked":
            continue
        if module in bn:
            leaf = {"weight": "gamma", "bias": "beta"}.get(leaf, leaf)
        name = f"{module}.{leaf}"
        arrays[name[len("backbone."):] if name.startswith("backbone.") else name] = value.detach().numpy()
    return arrays


def write_model_store_zip(out, model, name):
    from mxnet_params_writer import params_bytes
    data = params_bytes(gluon_params(model))
    stem = f"gluoncv_{name}-{hashlib.sha1(data).hexdigest()[:8]}"
    with zipfile.ZipFile(os.path.join(out, stem + ".zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(stem + ".params", data)
    return stem + ".zip"


def main(out, name, params=False):
    torch.set_num_threads(1)
    start = time.time()
    os.makedirs(out, exist_ok=True)
    x = torch.randn(1, 3, 50, 58, generator=torch.Generator().manual_seed(20261123))
    head, backbone = MODELS[name]
    model = build(head, backbone, 5)
    synthetic_weights.fill(model)
    model.eval()
    with torch.no_grad():
        outputs = model(x)
    record = {"input": x, "main": outputs[0], "num_params": torch.tensor(count(model), dtype=torch.int64)}
    if len(outputs) > 1:
        record["aux"] = outputs[1]
    for zoo_name, config in ZOO[name].items():
        record[f"num_params.{zoo_name}"] = torch.tensor(count_without_init(*config), dtype=torch.int64)
    torch.save(record, os.path.join(out, "outputs.pth"))
    if params:
        print("wrote " + write_model_store_zip(out, model, name))
    print(f"{name}: " + ", ".join(f"{k} {tuple(v.shape)}" if v.dim() else f"{k} {int(v)}" for k, v in record.items()) +
          f", max|main| {outputs[0].abs().max():.4g}, {time.time() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], params=sys.argv[3:] == ["params"])
