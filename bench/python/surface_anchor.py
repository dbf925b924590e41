"""A 2-D loss surface of the reference MLP done the anchor's way (loss-landscape): one grid point at a time,
write the weights, walk the 10k images in batches of 128 and read loss and accuracy back after every batch
(.item(), a host sync). The same work as bench `surface --methods anchor`: P points spread over a 51x51 grid
on [-1, 1]^2 of filter-normalised random directions.

    python3 bench/python/surface_anchor.py --points 24 --device cuda --threads 2
"""
import torch
import torch.nn.functional as F
from torch.nn.utils import parameters_to_vector, vector_to_parameters

import common


def filter_normalized(net, generator):
    """A random direction with each weight row (filter) scaled to its weight row's norm; biases zero (loss-landscape's default)."""
    pieces = []
    for p in net.parameters():
        d = torch.randn(p.shape, generator=generator).to(p.device)
        if p.dim() <= 1:
            d.zero_()
        else:
            rows_w, rows_d = p.detach().reshape(p.shape[0], -1), d.reshape(d.shape[0], -1)
            d = (rows_d * (rows_w.norm(dim=1, keepdim=True) / (rows_d.norm(dim=1, keepdim=True) + 1e-10))).view_as(p)
        pieces.append(d.reshape(-1))
    return torch.cat(pieces)


def evaluate(net, inputs, labels):
    loss, correct = 0.0, 0
    for start in range(0, inputs.shape[0], common.BATCH):
        x, y = inputs[start:start + common.BATCH], labels[start:start + common.BATCH]
        logits = net(x)
        loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
    return loss / inputs.shape[0], correct / inputs.shape[0]


def main():
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=24)
    p.add_argument("--samples", type=int, default=10000)
    p.add_argument("--grid", type=int, default=51)
    args = p.parse_args()
    device = common.setup(args)
    print(common.describe(device, args.threads))
    torch.manual_seed(0)
    net = common.reference_mlp().to(device).eval()
    params = list(net.parameters())
    inputs, labels = common.synthetic_images(args.samples, device)
    generator = torch.Generator().manual_seed(1)
    center = parameters_to_vector(params).detach().clone()
    first, second = filter_normalized(net, generator), filter_normalized(net, generator)
    axis = [-1 + 2 * i / (args.grid - 1) for i in range(args.grid)]
    grid = [(a, b) for a in axis for b in axis]
    # The same spread of points as the C# bench: 997 is prime, so no point repeats.
    points = [grid[i * 997 % len(grid)] for i in range(min(args.points, len(grid)))]
    values = []

    def work():
        values.clear()
        with torch.no_grad():
            for a, b in points:
                vector_to_parameters(center + a * first + b * second, params)
                values.append(evaluate(net, inputs, labels))

    seconds = common.median_seconds(args.repeats, work, device)
    with torch.no_grad():
        vector_to_parameters(center, params)
    print(f"# {len(points)} points, median {seconds:.3f} s; loss at the first point {values[0][0]:.4f}")
    common.result("surface-anchor", device, args.threads, seconds / len(points) * 1e3, "point")


if __name__ == "__main__":
    main()
