"""Reference outputs of torchvision backbones for SegNets' parity tests (Debian's torchvision 0.14).

    /usr/bin/python3 tools/reference/torchvision_backbones.py OUT_DIR MODEL

Builds torchvision.models.MODEL with seeded random weights (BatchNorm statistics and affine terms randomised too,
so that eval-mode BN is exercised), runs one odd-sized input through it in eval mode, and writes
  OUT_DIR/weights.pth   the model's state_dict (torch.save, zip format)
  OUT_DIR/outputs.pth   {'input': x, '<os>.c1' .. '<os>.c5': stage outputs, '<os>.logits': classifier output}
for every output stride the model supports in torchvision (ResNets with Bottleneck blocks: 32, 16 and 8 through
replace_stride_with_dilation; mobilenet_v3_large: 32 and 16 through dilated=True; others: 32). Stage names follow
SegNets: c1 = stride 2 ... c5 = the last stage; where each model taps its stages is in build() below.
MODEL: resnet18/34/50/101/152, vgg16_bn, mobilenet_v2, mobilenet_v2_1.4, mobilenet_v2_ti_s16, mobilenet_v3_large, regnet_x_400mf/800mf/1_6gf/3_2gf.
"""
import sys

import torch
import torchvision


def randomize(model, generator):
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.2, 0.6, generator=generator)
                module.bias.normal_(0.0, 0.1, generator=generator)
                module.running_mean.normal_(0.0, 0.1, generator=generator)
                module.running_var.uniform_(0.5, 1.5, generator=generator)
            elif isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
                fan_in = module.weight[0].numel()
                module.weight.normal_(0.0, (2.0 / fan_in) ** 0.5, generator=generator)
                if module.bias is not None:
                    module.bias.normal_(0.0, 0.1, generator=generator)


def resnet_stages(model, x):
    c1 = model.relu(model.bn1(model.conv1(x)))
    c2 = model.layer1(model.maxpool(c1))
    c3 = model.layer2(c2)
    c4 = model.layer3(c3)
    c5 = model.layer4(c4)
    logits = model.fc(torch.flatten(model.avgpool(c5), 1))
    return [c1, c2, c3, c4, c5], logits


def tap_stages(taps, head):
    """Stages = outputs of the given features[] indices; logits = head(last features output)."""
    def stages(model, x):
        feats = []
        for i, layer in enumerate(model.features):
            x = layer(x)
            if i in taps:
                feats.append(x)
        return feats, head(model, x)
    return stages


def mobilenet_v2_head(model, x):
    return model.classifier(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, (1, 1)), 1))


def pooled_classifier(model, x):
    return model.classifier(torch.flatten(model.avgpool(x), 1))


def regnet_stages(model, x):
    feats = [model.stem(x)]
    for stage in model.trunk_output:
        feats.append(stage(feats[-1]))
    return feats, model.fc(torch.flatten(model.avgpool(feats[-1]), 1))


def build(name, output_stride):
    if name.startswith("resnet"):
        dilation = {32: [False, False, False], 16: [False, False, True], 8: [False, True, True]}[output_stride]
        return getattr(torchvision.models, name)(weights=None, replace_stride_with_dilation=dilation), resnet_stages
    if name == "vgg16_bn":
        # stages = the five max-pool outputs; the 120M-parameter classifier is left out of the files (no logits)
        return torchvision.models.vgg16_bn(weights=None), tap_stages({6, 13, 23, 33, 43}, lambda model, x: None)
    if name == "mobilenet_v2_ti_s16":
        # TI edgeai's "MobileNetV2S16" encoder as the fact sheet describes it (edgeai-torchvision @f85ec314): the
        # torchvision layout with ReLU instead of ReLU6 and the 160-channel stage not strided, without dilation; the
        # encoder ends at features[17] (320 ch), so the weights leave out features.18 and the classifier (no logits).
        net = torchvision.models.mobilenet_v2(weights=None)
        for i, module in enumerate(net.features):
            for child in module.modules():
                for attr, sub in list(child.named_children()):
                    if isinstance(sub, torch.nn.ReLU6):
                        setattr(child, attr, torch.nn.ReLU())
        net.features[14].conv[1][0].stride = (1, 1)
        return net, tap_stages({1, 3, 6, 13, 17}, lambda model, x: None)
    if name.startswith("mobilenet_v2"):
        width = float(name.split("_")[-1]) if name.count("_") == 2 else 1.0
        # c5 = features[17] (320 ch); features[18], the 1x1 conv to 1280, leads to the logits
        return torchvision.models.mobilenet_v2(weights=None, width_mult=width), tap_stages({1, 3, 6, 13, 17}, mobilenet_v2_head)
    if name == "mobilenet_v3_large":
        return torchvision.models.mobilenet_v3_large(weights=None, dilated=output_stride == 16), tap_stages(
            {0, 2, 4, 7, 16}, pooled_classifier)
    if name.startswith("regnet_x_"):
        return getattr(torchvision.models, name)(weights=None), regnet_stages
    raise SystemExit(f"unknown model {name}")


def strides_for(name):
    if name.startswith("resnet") and name not in ("resnet18", "resnet34"):
        return [32, 16, 8]
    if name == "mobilenet_v3_large":
        return [32, 16]
    if name == "mobilenet_v2_ti_s16":
        return [16]
    return [32]


def main(out, name):
    generator = torch.Generator().manual_seed(20261123)
    reference, stages = build(name, strides_for(name)[0])
    randomize(reference, generator)
    reference.eval()
    state = reference.state_dict()
    if name == "vgg16_bn":
        state = {k: v for k, v in state.items() if not k.startswith("classifier.")}
    if name == "mobilenet_v2_ti_s16":
        state = {k: v for k, v in state.items() if not k.startswith(("classifier.", "features.18."))}
    torch.save(state, f"{out}/weights.pth")

    x = torch.randn(2, 3, 67, 75, generator=generator)
    if name == "mobilenet_v2_ti_s16":
        # large enough that activations pass 6, so that ReLU and torchvision's ReLU6 give different outputs
        x = x * 40
    outputs = {"input": x}
    for output_stride in strides_for(name):
        model, stages = build(name, output_stride)
        model.load_state_dict(state, strict=name not in ("vgg16_bn", "mobilenet_v2_ti_s16"))
        model.eval()
        with torch.no_grad():
            feats, logits = stages(model, x)
        for i, f in enumerate(feats):
            outputs[f"os{output_stride}.c{i + 1}"] = f
        if logits is not None:
            outputs[f"os{output_stride}.logits"] = logits
        print(f"{name} os{output_stride}: " + ", ".join(
            f"c{i + 1} {tuple(f.shape)} max|x| {f.abs().max():.3g}" for i, f in enumerate(feats)))
    torch.save(outputs, f"{out}/outputs.pth")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
