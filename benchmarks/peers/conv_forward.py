"""PyTorch peer of SegNets.Benchmarks' ConvForwardBenchmarks: the same 3x3 convolution (64 -> 64 channels,
128x128, batch 1, fp32, no grad), median of many timed runs after warm-up. Run with the interpreter that has torch:
    /usr/bin/python3 benchmarks/peers/conv_forward.py [--device cpu|cuda]
"""
import argparse
import statistics
import time

import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    device = torch.device(args.device)
    conv = torch.nn.Conv2d(64, 64, 3, padding=1).to(device).eval()
    x = torch.randn(1, 64, 128, 128, device=device)
    times = []
    with torch.no_grad():
        for i in range(args.repeats + 20):
            start = time.perf_counter()
            conv(x)
            if device.type == "cuda":
                torch.cuda.synchronize()
            if i >= 20:
                times.append((time.perf_counter() - start) * 1000)
    print(f"torch {torch.__version__} {device} threads={torch.get_num_threads()} conv3x3 64->64 128x128: "
          f"median {statistics.median(times):.3f} ms, mean {statistics.mean(times):.3f} ms")


if __name__ == "__main__":
    main()
