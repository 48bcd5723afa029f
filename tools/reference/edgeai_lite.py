"""Reference for SegNets' TI edgeai "Lite" segmentation models (DeepLabV3Plus-, FPN- and UNet-EdgeAILite).

edgeai-torchvision's pixel2pixel models import TI's own `xnn` package, which Debian's torch cannot import here, so
this is a PyTorch transcription of TI's source, written from it and checked against it line by line; each piece names
the file it follows. Read at:
  * TexasInstruments/edgeai-torchvision@f85ec314af3813e12dd45db49eb6ab1dcb500ed5
    references/edgeailite/edgeai_xvision/xvision/models/pixel2pixel/{pixel2pixelnet,pixel2pixelnet_utils,
    deeplabv3plus_edgeailite,fpn_edgeailite,unet_edgeailite}.py and models/{multi_input_net,mobilenetv2,regnet}.py
  * the xnn layers those import: edgeai-torchvision@26a11a4d0752 references/edgeailite/edgeai_xvision/xnn/
    {layers/conv_blocks.py, layers/rf_blocks.py, layers/resize_blocks.py, layers/common_blocks.py,
    layers/layer_config.py, utils/function_utils.py}; identical in what is used here to
    TexasInstruments/edgeai-modeloptimization@6f4732f4371d torchmodelopt/edgeai_torchmodelopt/xnn (what HEAD imports;
    DefaultNorm2d = BatchNorm2d, DefaultAct2d = ReLU in both).
It is NOT SegNets' C# code: the test compares the two. The state-dict keys are TI's (encoder.features.*,
decoders.0.*); the weights are synthetic_weights.py's, filled through rename(), which maps each TI key to the
SegNets key that holds the same tensor (the TI -> SegNets key mapping).

    /usr/bin/python3 tools/reference/edgeai_lite.py OUT_DIR MODEL [checkpoint]
    /usr/bin/python3 tools/reference/edgeai_lite.py OUT_DIR counts

MODEL = DECODER_ENCODER with DECODER deeplabv3plus | fpn | unet and ENCODER mobilenetv2 | mobilenetv2_1.4 |
regnetx400mf | regnetx800mf | regnetx1.6gf | regnetx3.2gf (the combinations TI defines). Writes OUT_DIR/outputs.pth:
'input' (2x3x64x96, eval mode), 'logits' (the decoder output before TI's eval-mode argmax), 'num_params' (at 5
classes, as tested) and 'num_params_19' (19 classes), 'odd_size_ok' (1 if TI's code runs on a 1x3x65x97 input);
and OUT_DIR/keys.txt: each TI state-dict key and the SegNets key rename() maps it to. With `checkpoint`, also
OUT_DIR/checkpoint.pth laid out as TI's training script saves it (edgeai-torchvision@f85ec314
references/edgeailite/edgeai_xvision/xengine/train_pixel2pixel.py L634-642 `checkpoint_dict`: epoch, model_name,
state_dict, optimizer, scheduler, best_metric, multi_task_factors, quantize), the scheduler being the MultiStepLR that
TI's SchedulerWrapper returns the state of for its default 'step' schedule (edgeai-modeloptimization
xnn/optim/lr_scheduler.py `SchedulerWrapper.state_dict`; train_segmentation_main.py L223-225: step, milestones (100, 200)).
`counts` writes OUT_DIR/counts.txt instead: "MODEL CLASSES PARAMETERS" for every model TI's table uses, at the class
counts of its datasets (ADE20K32 32, COCOSeg21 21, Cityscapes 19), built by this transcription of TI's code.
"""
import collections
import os
import sys

import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_weights  # noqa: E402

NUM_CLASSES = 5


# ---------------------------------------------------------------------------------------------------------------
# xnn/layers/conv_blocks.py

def conv_norm_act(inp, out, k, stride=1, dilation=1, groups=1, norm=True, act=nn.ReLU):
    # ConvNormAct2d: Sequential[Conv2d(bias=False, padding=((k-1)//2)*dilation), (BatchNorm2d), (act())]
    assert inp % groups == 0
    layers = [nn.Conv2d(inp, out, k, stride=stride, padding=((k - 1) // 2) * dilation, dilation=dilation,
                        groups=groups, bias=False)]
    if norm:
        layers.append(nn.BatchNorm2d(out))
    if act:
        layers.append(act())
    return nn.Sequential(*layers)


def conv_dw_sep(inp, out, k, dilation=1, group_size_dw=None, norm=(True, True), act=(nn.ReLU, nn.ReLU)):
    # ConvDWSepNormAct2d (first_1x1=False): [ConvDWNormAct2d(in, in, k, dilation, groups = in or in//group_size_dw),
    # ConvNormAct2d(in, out, 1)]; check_groups: groups = in_planes // group_size when group_size is given
    groups_dw = inp if group_size_dw is None else inp // group_size_dw
    return nn.Sequential(conv_norm_act(inp, inp, k, dilation=dilation, groups=groups_dw, norm=norm[0], act=act[0]),
                         conv_norm_act(inp, out, 1, norm=norm[1], act=act[1]))


# xnn/layers/rf_blocks.py DWASPPLiteBlock (avg_pool=False, linear_dw=False, groups=1)
class DWASPPLiteBlock(nn.Module):
    def __init__(self, in_chs, aspp_chs, out_chs, dilation=(6, 12, 18), group_size_dw=None, act=nn.ReLU):
        super().__init__()
        self.conv1x1 = conv_norm_act(in_chs, aspp_chs, 1, act=act)
        self.aspp_bra1 = conv_dw_sep(in_chs, aspp_chs, 3, dilation[0], group_size_dw, act=(act, act))
        self.aspp_bra2 = conv_dw_sep(in_chs, aspp_chs, 3, dilation[1], group_size_dw, act=(act, act))
        self.aspp_bra3 = conv_dw_sep(in_chs, aspp_chs, 3, dilation[2], group_size_dw, act=(act, act))
        self.dropout = nn.Dropout2d(p=0.2, inplace=True)
        self.aspp_out = conv_norm_act(aspp_chs * 4, out_chs, 1, act=act)

    def forward(self, x):
        cat = torch.cat([self.conv1x1(x), self.aspp_bra1(x), self.aspp_bra2(x), self.aspp_bra3(x)], dim=1)
        return self.aspp_out(self.dropout(cat))


# xnn/layers/resize_blocks.py UpsampleWith(interpolation_type='upsample', mode='bilinear') -> ResizeWith -> resize_with
def upsample(x, scale):
    return F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=None, recompute_scale_factor=False)


# xnn/utils/function_utils.py
def get_shape_with_stride(in_shape, stride):
    shape = [in_shape[0], in_shape[1], in_shape[2] // stride, in_shape[3] // stride]
    if int(in_shape[2]) % 2 == 1:
        shape[2] += 1
    if int(in_shape[3]) % 2 == 1:
        shape[3] += 1
    return shape


def get_blob_from_list(x_list, shape):
    # the LAST blob of that shape
    found = None
    for x in x_list:
        if x.shape == torch.Size(shape):
            found = x
    return found


def make_divisible_by8(v):
    # make_divisible(v, 8)
    q = int(v + 4) // 8
    m = max(q * 8, 8)
    if m < 0.9 * v:
        m += 8
    return int(m)


# ---------------------------------------------------------------------------------------------------------------
# encoders: xvision/models/mobilenetv2.py (MobileNetV2Base, InvertedResidual) and regnet.py, wrapped as
# multi_input_net.py MultiInputNet does for one input: features copied over, outputs collected per child of features.

class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio, act):
        super().__init__()
        hidden = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(conv_norm_act(inp, hidden, 1, act=act))
        layers += [conv_norm_act(hidden, hidden, 3, stride=stride, groups=hidden, act=act),
                   nn.Conv2d(hidden, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2Encoder(nn.Module):
    # MobileNetV2Base with num_classes None (the segmentation configs): no 1280 conv, no classifier
    def __init__(self, strides, width_mult, act):
        super().__init__()
        s0, s1, s2, s3, s4 = strides
        sf = 1  # fastdown False
        setting = [[1, 32, 1, s0], [1, 16, 1, sf], [6, 24, 2, s1], [6, 32, 3, s2], [6, 64, 4, s3], [6, 96, 3, 1],
                   [6, 160, 3, s4], [6, 320, 1, 1], [1, 1280, 1, 1]]
        channels = make_divisible_by8(setting[0][1] * width_mult)
        features = [conv_norm_act(3, channels, 3, stride=s0, act=act)]
        for t, c, n, s in setting[1:-1]:
            out = make_divisible_by8(c * width_mult)
            for i in range(n):
                features.append(InvertedResidual(channels, out, s if i == 0 else 1, t, act))
                channels = out
        self.features = nn.Sequential(*features)

    def forward(self, x):
        outputs = []
        for block in self.features:
            x = block(x)
            outputs.append(x)
        return x, outputs


class RegNetBottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride, downsample, group_width):
        super().__init__()
        groups = planes // group_width
        width = (planes // groups) * groups
        self.f = nn.Sequential(collections.OrderedDict([
            ("a", nn.Conv2d(inplanes, width, 1, bias=False)), ("a_bn", nn.BatchNorm2d(width)), ("a_relu", nn.ReLU()),
            # resnet.py conv3x3: padding=dilation (1), groups
            ("b", nn.Conv2d(width, width, 3, stride, 1, groups=groups, bias=False)), ("b_bn", nn.BatchNorm2d(width)),
            ("b_relu", nn.ReLU()),
            ("c", nn.Conv2d(width, planes, 1, bias=False)), ("c_bn", nn.BatchNorm2d(planes))]))
        self.do_downsample = downsample is not None
        if self.do_downsample:
            self.proj, self.bn = downsample

    def forward(self, x):
        identity = self.bn(self.proj(x)) if self.do_downsample else x
        return F.relu(self.f(x) + identity)


REGNETX = {  # regnet.py regnetx400mf/800mf/1p6gf/3p2gf: channels (stem, s1..s4), depths, group width
    "regnetx400mf": ((32, 32, 64, 160, 384), (1, 2, 7, 12), 16),
    "regnetx800mf": ((32, 64, 128, 288, 672), (1, 3, 7, 5), 16),
    "regnetx1.6gf": ((32, 72, 168, 408, 912), (2, 4, 10, 2), 24),
    "regnetx3.2gf": ((32, 96, 192, 432, 1008), (2, 6, 15, 2), 48),
}


class RegNetEncoder(nn.Module):
    # RegNet with simple_stem: stem stride s0, s1 stride sf = 2, s2..s4 strides s2..s4; no dilation
    def __init__(self, name, strides):
        super().__init__()
        channels, depths, group_width = REGNETX[name]
        inplanes = channels[0]
        stem = nn.Sequential(collections.OrderedDict([
            ("conv", nn.Conv2d(3, inplanes, 3, strides[0], 1, bias=False)), ("bn", nn.BatchNorm2d(inplanes)),
            ("relu1", nn.ReLU())]))
        features = [("stem", stem)]
        for i, (planes, depth, stride) in enumerate(zip(channels[1:], depths, (2, strides[2], strides[3], strides[4]))):
            # _make_layer
            downsample = None
            if stride != 1 or inplanes != planes:
                downsample = (nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
            blocks = [("b1", RegNetBottleneck(inplanes, planes, stride, downsample, group_width))]
            inplanes = planes
            for j in range(1, depth):
                blocks.append((f"b{j + 1}", RegNetBottleneck(inplanes, planes, 1, None, group_width)))
            features.append((f"s{i + 1}", nn.Sequential(collections.OrderedDict(blocks))))
        self.features = nn.Sequential(collections.OrderedDict(features))

    def forward(self, x):
        outputs = []
        for block in self.features:
            x = block(x)
            outputs.append(x)
        return x, outputs


# ---------------------------------------------------------------------------------------------------------------
# pixel2pixelnet_utils.py add_lite_prediction_modules: pred = ConvDWSepNormAct2d(in, n_class, 3,
# normalization=(True, False), activation=(False, False), group_size_dw); upsample by shortcut_strides[0]

def lite_pred(inp, num_classes, group_size_dw):
    return conv_dw_sep(inp, num_classes, 3, group_size_dw=group_size_dw, norm=(True, False), act=(False, False))


class DeepLabV3PlusDecoder(nn.Module):
    # deeplabv3plus_edgeailite.py DeepLabV3PlusEdgeAILiteDecoder
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.aspp = DWASPPLiteBlock(c["shortcut_channels"][-1], c["aspp_chan"], c["decoder_chan"], c["aspp_dil"],
                                    c["group_size_dw"], c["act"])
        self.shortcut = conv_norm_act(c["shortcut_channels"][0], c["shortcut_out"], 1, act=c["act"])
        self.pred = lite_pred(c["decoder_chan"] + c["shortcut_out"], c["num_classes"], c["group_size_dw"])

    def forward(self, x_input, x_features, x_list):
        c = self.c
        shape_s = get_shape_with_stride(x_input.shape, c["shortcut_strides"][0])
        shape_s[1] = c["shortcut_channels"][0]
        x_s = self.shortcut(get_blob_from_list(x_list, shape_s))
        x = self.aspp(x_features)
        x = upsample(x, c["shortcut_strides"][-1] // c["shortcut_strides"][0])
        x = torch.cat((x, x_s), dim=1)
        x = self.pred(x)
        x = upsample(x, c["shortcut_strides"][0])
        assert x.shape[2:] == x_input.shape[2:], "incorrect output shape"
        return x


class FPNPyramid(nn.Module):
    # fpn_edgeailite.py FPNEdgeAILitePyramid with inloop_fpn=True (InLoopFPNEdgeAILitePyramid); shortcuts[0] and
    # smooth_convs[0] are None (ASPP output already has decoder_channels), so keys start at index 1
    def __init__(self, decoder_channels, shortcut_strides, shortcut_channels, act, group_size_dw):
        super().__init__()
        self.shortcut_strides = shortcut_strides
        self.shortcut_channels = shortcut_channels
        self.shortcuts = nn.ModuleList([nn.Identity()])
        self.smooth_convs = nn.ModuleList([nn.Identity()])
        for ch in shortcut_channels:
            self.shortcuts.append(conv_norm_act(ch, decoder_channels, 1, act=act))
            self.smooth_convs.append(conv_dw_sep(decoder_channels, decoder_channels, 3, group_size_dw=group_size_dw,
                                                 act=(act, act)))

    def forward(self, x_input, x_list):
        x = x_list[-1]
        outputs = [x]
        for shortcut, smooth, s_stride, ch in zip(self.shortcuts[1:], self.smooth_convs[1:], self.shortcut_strides,
                                                  self.shortcut_channels):
            shape_s = get_shape_with_stride(x_input.shape, s_stride)
            shape_s[1] = ch
            x_s = shortcut(get_blob_from_list(x_list, shape_s))
            x = upsample(x, 2)
            x = x + x_s
            x = smooth(x)
            outputs.append(x)
        return outputs[::-1]


class FPNDecoder(nn.Module):
    # fpn_edgeailite.py FPNEdgeAILiteDecoder (use_aspp=True)
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.rfblock = DWASPPLiteBlock(c["shortcut_channels"][-1], c["aspp_chan"], c["decoder_chan"], c["aspp_dil"],
                                       c["group_size_dw"], c["act"])
        self.fpn = FPNPyramid(c["decoder_chan"], c["shortcut_strides"][::-1][1:], c["shortcut_channels"][::-1][1:],
                              c["act"], c["group_size_dw"])
        self.pred = lite_pred(c["decoder_chan"], c["num_classes"], c["group_size_dw"])

    def forward(self, x_input, x, x_list):
        assert x is x_list[-1]
        x_list[-1] = self.rfblock(x)
        x = self.fpn(x_input, x_list)[0]
        return upsample(self.pred(x), self.c["shortcut_strides"][0])


class UNetPyramid(nn.Module):
    # unet_edgeailite.py UNetEdgeAILitePyramid; smooth_convs[0] is None, so keys start at index 1
    def __init__(self, current_channels, minimum_channels, shortcut_strides, shortcut_channels, act, group_size_dw):
        super().__init__()
        self.shortcut_strides = shortcut_strides
        self.shortcut_channels = shortcut_channels
        self.smooth_convs = nn.ModuleList([nn.Identity()])
        for ch in shortcut_channels:
            smooth_channels = max(minimum_channels, ch)
            self.smooth_convs.append(conv_dw_sep(current_channels + ch, smooth_channels, 3,
                                                 group_size_dw=group_size_dw, act=(act, act)))
            current_channels = smooth_channels

    def forward(self, x_input, x_list):
        x = x_list[-1]
        outputs = [x]
        for smooth, s_stride, ch in zip(self.smooth_convs[1:], self.shortcut_strides, self.shortcut_channels):
            shape_s = get_shape_with_stride(x_input.shape, s_stride)
            shape_s[1] = ch
            x_s = get_blob_from_list(x_list, shape_s)
            x = upsample(x, 2)
            x = torch.cat((x, x_s), dim=1)
            x = smooth(x)
            outputs.append(x)
        return outputs[::-1]


class UNetDecoder(nn.Module):
    # unet_edgeailite.py UNetEdgeAILiteDecoder (use_aspp=True)
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.rfblock = DWASPPLiteBlock(c["shortcut_channels"][-1], c["aspp_chan"], c["decoder_chan"], c["aspp_dil"],
                                       c["group_size_dw"], c["act"])
        minimum_channels = max(c["num_classes"] * 2, 32)
        shortcut_channels = c["shortcut_channels"][::-1][1:]
        self.unet = UNetPyramid(c["decoder_chan"], minimum_channels, c["shortcut_strides"][::-1][1:],
                                shortcut_channels, c["act"], c["group_size_dw"])
        self.pred = lite_pred(max(minimum_channels, shortcut_channels[-1]), c["num_classes"], c["group_size_dw"])

    def forward(self, x_input, x, x_list):
        assert x is x_list[-1]
        x_list[-1] = self.rfblock(x)
        x = self.unet(x_input, x_list)[0]
        x = upsample(self.pred(x), self.c["shortcut_strides"][0])
        assert x.shape[2:] == x_input.shape[2:], "incorrect output shape"
        return x


class Pixel2PixelNet(nn.Module):
    # pixel2pixelnet.py Pixel2PixelNet with one input, one decoder, normalize_input False, multi_task False
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoders = nn.ModuleList([decoder])

    def forward(self, x):
        x_features, x_list = self.encoder(x)
        return self.decoders[0](x, x_features, x_list)


# ---------------------------------------------------------------------------------------------------------------
# the model configs: get_config_deeplav3lite_mnv2 / get_config_fpn_mnv2_edgeailite / get_config_unet_mnv2_edgeailite
# and the per-encoder deltas of the *_edgeailite builder functions

def config(decoder, encoder, num_classes):
    c = dict(num_classes=num_classes, decoder_chan=256, aspp_chan=256, aspp_dil=(6, 12, 18), group_size_dw=None,
             act=nn.ReLU, shortcut_out=48)
    if decoder == "deeplabv3plus":
        c.update(strides=(2, 2, 2, 2, 1), shortcut_strides=(4, 16), shortcut_channels=(24, 320))
    elif decoder == "fpn":
        c.update(strides=(2, 2, 2, 2, 2), shortcut_strides=(4, 8, 16, 32), shortcut_channels=(24, 32, 96, 320))
    else:
        c.update(strides=(2, 2, 2, 2, 2), shortcut_strides=(2, 4, 8, 16, 32), shortcut_channels=(16, 24, 32, 96, 320))
    if encoder == "mobilenetv2":
        return c, MobileNetV2Encoder(c["strides"], 1.0, c["act"])
    if encoder == "mobilenetv2_1.4":
        # deeplabv3plus_mobilenetv2_tv_1p4_edgeailite / fpn_aspp_mobilenetv2_1p4_tv_edgeailite (no UNet 1.4 in TI)
        assert decoder in ("deeplabv3plus", "fpn")
        c.update(act=nn.ReLU6, shortcut_channels=tuple(make_divisible_by8(ch * 1.4) for ch in c["shortcut_channels"]),
                 decoder_chan=make_divisible_by8(256 * 1.4), aspp_chan=make_divisible_by8(256 * 1.4))
        if decoder == "deeplabv3plus":
            c.update(shortcut_out=make_divisible_by8(48 * 1.4))
        return c, MobileNetV2Encoder(c["strides"], 1.4, c["act"])
    # get_config_*_regnetx*: shortcut channels, group_size_dw (and decoder/aspp channels for 1.6GF / 3.2GF)
    regnet = {
        ("deeplabv3plus", "regnetx800mf"): dict(shortcut_channels=(64, 672), group_size_dw=16),
        ("fpn", "regnetx400mf"): dict(shortcut_channels=(32, 64, 160, 384), group_size_dw=16),
        ("fpn", "regnetx800mf"): dict(shortcut_channels=(64, 128, 288, 672), group_size_dw=16),
        ("fpn", "regnetx1.6gf"): dict(shortcut_channels=(72, 168, 408, 912), group_size_dw=24, decoder_chan=264,
                                      aspp_chan=264),
        ("fpn", "regnetx3.2gf"): dict(shortcut_channels=(96, 192, 432, 1008), group_size_dw=48, decoder_chan=288,
                                      aspp_chan=288),
        ("unet", "regnetx800mf"): dict(shortcut_channels=(32, 64, 128, 288, 672), group_size_dw=16),
    }[(decoder, encoder)]
    c.update(regnet)
    return c, RegNetEncoder(encoder, c["strides"])


def build(name, num_classes):
    decoder, encoder = name.split("_", 1)
    c, enc = config(decoder, encoder, num_classes)
    dec = {"deeplabv3plus": DeepLabV3PlusDecoder, "fpn": FPNDecoder, "unet": UNetDecoder}[decoder](c)
    return Pixel2PixelNet(enc, dec)


def rename(key):
    """TI key -> SegNets key: decoders.0. -> decoder.; encoder.features. -> backbone.features. (MobileNetV2, same
    layout as torchvision); RegNetX: TI's pycls-style names -> torchvision's (SegNets' RegNetX)."""
    if key.startswith("decoders.0."):
        return "decoder." + key[len("decoders.0."):]
    assert key.startswith("encoder.features.")
    rest = key[len("encoder.features."):]
    parts = rest.split(".")
    if parts[0] == "stem":  # stem.conv / stem.bn -> stem.0 / stem.1
        return "backbone.stem." + {"conv": "0", "bn": "1"}[parts[1]] + "." + ".".join(parts[2:])
    if parts[0].startswith("s") and parts[0][1:].isdigit():
        stage = int(parts[0][1:])
        block = int(parts[1][1:]) - 1
        prefix = f"backbone.trunk_output.block{stage}.block{stage}-{block}."
        tail = parts[2:]
        if tail[0] == "f":  # f.a / f.a_bn -> f.a.0 / f.a.1 (likewise b, c)
            layer = tail[1]
            return prefix + "f." + (layer[0] + ".1." if layer.endswith("_bn") else layer + ".0.") + ".".join(tail[2:])
        return prefix + {"proj": "proj.0.", "bn": "proj.1."}[tail[0]] + ".".join(tail[1:])
    return "backbone.features." + rest


def count(model):
    return sum(p.numel() for p in model.parameters())


def save_ti_checkpoint(model, name, path):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for p in model.parameters():  # one step so that the optimizer state holds momentum buffers, as a real one does
        p.grad = torch.zeros_like(p)
    optimizer.step()
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[100, 200], gamma=0.25)
    checkpoint = {"epoch": 240, "model_name": name + "_edgeailite", "state_dict": model.state_dict(),
                  "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "best_metric": 57.77,
                  "multi_task_factors": None, "quantize": False}
    assert isinstance(checkpoint["scheduler"]["milestones"], collections.Counter)
    torch.save(checkpoint, path)


def main(out, name, checkpoint=False):
    torch.manual_seed(0)
    model = build(name, NUM_CLASSES)
    synthetic_weights.fill_renamed(model, rename)
    model.eval()
    generator = torch.Generator().manual_seed(20260512)
    # an image 0..255 normalised as TI trains, (x - 128) / 64, times 4 so that activations pass 6 (ReLU vs ReLU6)
    x = (torch.rand(2, 3, 64, 96, generator=generator) * 255 - 128) / 64 * 4
    peaks = []
    for m in model.modules():
        if isinstance(m, (nn.ReLU, nn.ReLU6)):
            m.register_forward_hook(lambda mod, inp, res: peaks.append(float(inp[0].max())))
    with torch.no_grad():
        logits = model(x)
        print(f"{name}: activation inputs above 6 in {sum(p > 6 for p in peaks)} of {len(peaks)} ReLU/ReLU6 calls")
        odd_ok = 1
        try:
            model(torch.zeros(1, 3, 65, 97))
        except Exception as e:  # noqa: BLE001 - TI's shape-matched shortcuts fail on sizes it does not support
            print(f"{name}: 65x97 fails in TI's code: {type(e).__name__}: {str(e)[:120]}")
            odd_ok = 0
    outputs = {"input": x, "logits": logits, "num_params": torch.tensor(count(model)),
               "num_params_19": torch.tensor(count(build(name, 19))), "odd_size_ok": torch.tensor(odd_ok)}
    torch.save(outputs, f"{out}/outputs.pth")
    if checkpoint:
        save_ti_checkpoint(model, name, f"{out}/checkpoint.pth")
    with open(f"{out}/keys.txt", "w") as f:  # TI key and the SegNets key rename() maps it to, one pair a line
        f.writelines(f"{k} {rename(k)}\n" for k in model.state_dict())
    print(f"{name}: logits {tuple(logits.shape)} max|x| {logits.abs().max():.4g}, params {count(model)}, "
          f"params@19 {int(outputs['num_params_19'])}")


TABLE_MODELS = ["deeplabv3plus_mobilenetv2", "unet_mobilenetv2", "fpn_mobilenetv2", "fpn_mobilenetv2_1.4",
                "fpn_regnetx400mf", "fpn_regnetx800mf", "fpn_regnetx1.6gf", "fpn_regnetx3.2gf"]


def write_counts(out):
    with open(f"{out}/counts.txt", "w") as f:
        for name in TABLE_MODELS:
            for classes in (19, 21, 32):
                f.write(f"{name} {classes} {count(build(name, classes))}\n")


if __name__ == "__main__" and sys.argv[2] == "counts":
    write_counts(sys.argv[1])
elif __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], checkpoint=len(sys.argv) > 3 and sys.argv[3] == "checkpoint")
