"""Side by side: reading a ~250 MB .pth state dict with SegNets' managed reader and with torch.load, same file, same run.

    /usr/bin/python3 benchmarks/peers/load_pth.py [FILE]

Without FILE it saves torchvision's deeplabv3_resnet101 (random weights, aux head: 61M parameters, ~244 MB) to
/tmp/segnets-deeplabv3_resnet101.pth first. Each side runs in a fresh process: time = fastest of 3 loads, memory =
peak resident set above the process's size before loading (VmHWM - VmRSS). Needs
`dotnet build -c Release benchmarks/SegNets.Benchmarks` first.
"""
import os
import subprocess
import sys

PEER = r"""
import sys, time, torch
def status(field):
    for line in open('/proc/self/status'):
        if line.startswith(field + ':'):
            return int(line.split()[1]) * 1024
base = status('VmRSS'); best = 1e9
for _ in range(3):
    start = time.perf_counter(); state = torch.load(sys.argv[1], map_location='cpu'); best = min(best, time.perf_counter() - start)
    n = sum(t.numel() * t.element_size() for t in state.values()); del state
print(f"torch.load {best * 1000:.0f} ms, peak +{(status('VmHWM') - base) / 1048576:.0f} MiB, {n / 1048576:.0f} MiB of data")
"""


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/segnets-deeplabv3_resnet101.pth"
    if not os.path.exists(path):
        import torch
        import torchvision
        model = torchvision.models.segmentation.deeplabv3_resnet101(weights=None, weights_backbone=None, aux_loss=True)
        torch.save(model.state_dict(), path)
    size = os.path.getsize(path) / 1048576
    print(f"file {path}: {size:.0f} MiB")
    torch_line = subprocess.run([sys.executable, "-c", PEER, path], capture_output=True, text=True, check=True).stdout.strip()
    dll = os.path.join(root, "benchmarks/SegNets.Benchmarks/bin/Release/net10.0/SegNets.Benchmarks.dll")
    ours_line = subprocess.run(["dotnet", dll, "load-pth", path, "3"], capture_output=True, text=True, check=True).stdout.strip()
    print(torch_line)
    print(ours_line)
    t_ms = float(torch_line.split()[1]); o_ms = float(ours_line.split()[2])
    t_mem = float(torch_line.split("+")[1].split()[0]); o_mem = float(ours_line.split("+")[1].split()[0])
    print(f"time ratio SegNets/torch.load {o_ms / t_ms:.2f}; SegNets peak {o_mem / size:.2f}x the file size (torch {t_mem / size:.2f}x)")


if __name__ == "__main__":
    main()
