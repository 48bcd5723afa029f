"""Side by side: decoded + augmented 512x512 crops per second, SegNets' SegmentationLoader against PyTorch's DataLoader
with PIL, on the same JPEG/PNG files in the same run.

    /usr/bin/python3 benchmarks/peers/loader_throughput.py [DIR]

Writes 200 JPEG images (quality 90, 640x480..800x600) and their PNG label maps to DIR (default
/tmp/segnets-loader-bench) unless they are there. Both sides: shuffle, random 512 crop (padded right/bottom when an
image is smaller: image 0, mask 255), horizontal flip with probability 1/2, image to float32 [0, 1], mask int64,
batch 8, one worker per core (DataLoader num_workers=2 here, persistent workers), one warm-up epoch, then 2 timed
epochs. Needs `dotnet build -c Release benchmarks/SegNets.Benchmarks` first.
"""
import os
import random
import subprocess
import sys
import time

import numpy as np
import torch
from PIL import Image, ImageOps

CROP = 512


def write_files(folder, count=200):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        w, h = int(rng.integers(640, 801)), int(rng.integers(480, 601))
        y, x = np.mgrid[0:h, 0:w]
        # Smooth structure plus noise: about the size and decode cost of a photo (pure noise JPEGs are far larger).
        rgb = np.stack([(x * 255 // w), (y * 255 // h), ((x + y + 40 * i) % 256)], axis=-1).astype(np.int16)
        rgb += rng.integers(-20, 21, size=rgb.shape, dtype=np.int16)
        Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(os.path.join(folder, f"img{i:03d}.jpg"), quality=90)
        mask = ((x // 64 + y // 64 + i) % 21).astype(np.uint8)
        mask[:8] = 255
        Image.fromarray(mask, mode="L").save(os.path.join(folder, f"img{i:03d}.png"))


class Folder(torch.utils.data.Dataset):
    def __init__(self, folder):
        self.folder = folder
        self.stems = sorted(f[:-4] for f in os.listdir(folder) if f.endswith(".jpg"))

    def __len__(self):
        return len(self.stems)

    def __getitem__(self, index):
        stem = os.path.join(self.folder, self.stems[index])
        image = Image.open(stem + ".jpg").convert("RGB")
        mask = Image.open(stem + ".png")
        w, h = image.size
        if w < CROP or h < CROP:
            border = (0, 0, max(0, CROP - w), max(0, CROP - h))
            image = ImageOps.expand(image, border=border, fill=0)
            mask = ImageOps.expand(mask, border=border, fill=255)
            w, h = image.size
        left, top = random.randint(0, w - CROP), random.randint(0, h - CROP)
        image = image.crop((left, top, left + CROP, top + CROP))
        mask = mask.crop((left, top, left + CROP, top + CROP))
        if random.random() < 0.5:
            image = image.transpose(Image.FLIP_LEFT_RIGHT)
            mask = mask.transpose(Image.FLIP_LEFT_RIGHT)
        image = torch.from_numpy(np.asarray(image, dtype=np.uint8).copy()).permute(2, 0, 1).float().div_(255)
        return image, torch.from_numpy(np.asarray(mask, dtype=np.int64).copy())


def torch_rate(folder, epochs=2):
    loader = torch.utils.data.DataLoader(Folder(folder), batch_size=8, shuffle=True, num_workers=os.cpu_count(),
                                         persistent_workers=True)

    def epoch():
        return sum(images.shape[0] for images, _ in loader)

    epoch()
    start = time.perf_counter()
    total = sum(epoch() for _ in range(epochs))
    seconds = time.perf_counter() - start
    return total / seconds, total, seconds


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/segnets-loader-bench"
    if not os.path.exists(os.path.join(folder, "img199.png")):
        write_files(folder)
    rate, total, seconds = torch_rate(folder)
    print(f"PyTorch {torch.__version__} DataLoader + PIL {rate:.1f} images/s ({total} images, {os.cpu_count()} workers, "
          f"{seconds:.2f} s)")
    dll = os.path.join(root, "benchmarks/SegNets.Benchmarks/bin/Release/net10.0/SegNets.Benchmarks.dll")
    ours = subprocess.run(["dotnet", dll, "loader-throughput", folder, "2"], capture_output=True, text=True, check=True)
    line = ours.stdout.strip().splitlines()[-1]
    print(line)
    print(f"ratio SegNets / PyTorch {float(line.split()[1]) / rate:.2f}")


if __name__ == "__main__":
    main()
