"""What the PyTorch side of bench/compare-pytorch.sh shares: arguments, device set-up, timing, synthetic data,
the two models, and the result lines (the same tab-separated format as the C# bench prints).

Plain PyTorch, written the way a PyTorch user would: the point is to time the same workload as
bench/LossLandscape.Bench does through TorchSharp, on the same libtorch, device and thread count.
"""
import argparse
import sys
import time

import torch
from torch import nn

BATCH = 128


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--repeats", type=int, default=3, help="timed runs after one warm-up; the median is reported")
    return p


def setup(args):
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit(f"{sys.argv[0]}: --device {args.device}: torch.cuda.is_available() is false")
    return device


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_seconds(repeats, work, device, warm_up=None):
    """Median wall time of `repeats` runs after one warm-up; on a GPU the clock stops when the device is done."""
    (warm_up or work)()
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        synchronize(device)
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]  # the upper median for an even count, as the C# bench takes it


def synthetic_images(count, device, seed=0):
    """Standard normal images of Fashion-MNIST's shape [N, 1, 28, 28] and uniform labels from 10 classes."""
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(count, 1, 28, 28, generator=generator)
    labels = torch.randint(0, 10, (count,), generator=generator)
    return inputs.to(device), labels.to(device)


def reference_mlp():
    """The project's reference MLP 784-256-256-10 with ReLU."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn_k(k, batch_norm=True, in_channels=1, classes=10):
    """Nakkiran's 5-layer CNN-k as src/LossLandscape/Models/CnnK.cs builds it: 3x3 convs of k, 2k, 4k, 8k channels,
    each followed by BatchNorm and ReLU, max-pooling by 2 after layers 2-4, a global max-pool and a linear head."""
    layers, channels = [], in_channels
    for i, width in enumerate((k, 2 * k, 4 * k, 8 * k)):
        layers.append(nn.Conv2d(channels, width, kernel_size=3, padding=1, bias=True))
        if batch_norm:
            layers.append(nn.BatchNorm2d(width))
        layers.append(nn.ReLU())
        if i > 0:
            layers.append(nn.MaxPool2d(2))
        channels = width
    layers += [nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(channels, classes)]
    return nn.Sequential(*layers)


def model(name):
    if name == "mlp":
        return reference_mlp()
    if name.startswith("cnn"):
        return cnn_k(int(name[3:]))
    raise ValueError(f"unknown model {name}")


def describe(device, threads):
    gpu = f"; gpu: {torch.cuda.get_device_name(device)}" if device.type == "cuda" else ""
    return f"# PyTorch {torch.__version__} (CUDA {torch.version.cuda}){gpu}; device: {device}; threads: {torch.get_num_threads()} (asked {threads})"


def result(workload, device, threads, milliseconds, unit):
    print(f"result\t{workload}\t{device.type}\t{threads}\t{milliseconds:.4f}\t{unit}", flush=True)
