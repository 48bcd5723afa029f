"""PyTorch peer of SegNets.Benchmarks' BackboneForwardBenchmarks: the same backbones from torchvision, batch 1,
3x224x224, eval, no grad, all stages (the classifier is not run); median of repeated runs after warm-up.
    /usr/bin/python3 benchmarks/peers/backbone_forward.py [--threads N]
"""
import argparse
import statistics
import time

import torch
import torchvision


def features(name):
    m = torchvision.models
    if name == "resnet101_os8":
        net = m.resnet101(weights=None, replace_stride_with_dilation=[False, True, True])
    elif name == "resnet50_v1s":
        return None  # GluonCV's deep-stem variant: no torchvision counterpart
    else:
        net = getattr(m, name)(weights=None)
    if name.startswith("resnet"):
        return torch.nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool, net.layer1, net.layer2, net.layer3, net.layer4)
    if name.startswith("regnet"):
        return torch.nn.Sequential(net.stem, net.trunk_output)
    if name == "mobilenet_v2":
        return net.features[:18]
    return net.features


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    x = torch.randn(1, 3, 224, 224)
    for name in ["resnet18", "resnet50", "resnet101", "resnet101_os8", "resnet50_v1s", "vgg16_bn",
                 "mobilenet_v2", "mobilenet_v3_large", "regnet_x_800mf"]:
        net = features(name)
        if net is None:
            print(f"{name}: no torchvision counterpart")
            continue
        net.eval()
        times = []
        with torch.no_grad():
            for i in range(args.repeats + 3):
                start = time.perf_counter()
                net(x)
                if i >= 3:
                    times.append((time.perf_counter() - start) * 1000)
        print(f"{name}: median {statistics.median(times):.2f} ms (torch {torch.__version__}, {torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
