"""Hessian-vector products (double backprop) of the reference MLP's mean cross-entropy on N samples, in batches
of 512 weighted by batch size / N, in eval mode: the same work as bench `hvp --samples N` (LossLandscape's
HessianOperator). --check compares a product with a central difference of the gradient, in float64.

    python3 bench/python/hvp.py --samples 4096 --products 10 --device cuda --threads 2
"""
import sys

import torch
import torch.nn.functional as F

import common

BATCH = 512


def hessian_vector_product(net, params, inputs, labels, v):
    """Hv over all samples; v is a flat vector in the order of net.parameters()."""
    pieces = list(torch.split(v, [p.numel() for p in params]))
    pieces = [piece.view_as(p) for piece, p in zip(pieces, params)]
    n = inputs.shape[0]
    result = torch.zeros_like(v)
    for start in range(0, n, BATCH):
        x, y = inputs[start:start + BATCH], labels[start:start + BATCH]
        loss = F.cross_entropy(net(x), y)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        directional = sum((g * piece).sum() for g, piece in zip(grads, pieces))
        hv = torch.autograd.grad(directional, params)
        result.add_(torch.cat([h.reshape(-1) for h in hv]), alpha=x.shape[0] / n)
    return result


def gradient(net, params, inputs, labels):
    n = inputs.shape[0]
    total = None
    for start in range(0, n, BATCH):
        x, y = inputs[start:start + BATCH], labels[start:start + BATCH]
        g = torch.autograd.grad(F.cross_entropy(net(x), y), params)
        flat = torch.cat([t.reshape(-1) for t in g]) * (x.shape[0] / n)
        total = flat if total is None else total + flat
    return total


def check(device):
    """Relative difference between Hv and (g(w + eps v) - g(w - eps v)) / (2 eps) in float64, for a unit vector v.
    The check runs the reference MLP's shape with tanh instead of ReLU: a finite difference across a ReLU kink
    measures the jump, not the Hessian, and a step along a random direction crosses hundreds of kinks."""
    torch.manual_seed(1)
    net = common.reference_mlp()
    for i, layer in enumerate(net):
        if isinstance(layer, torch.nn.ReLU):
            net[i] = torch.nn.Tanh()
    net = net.to(device).double().eval()
    params = list(net.parameters())
    inputs, labels = common.synthetic_images(256, device, seed=2)
    inputs = inputs.double()
    v = torch.randn(sum(p.numel() for p in params), dtype=torch.float64, device=device)
    v /= v.norm()
    hv = hessian_vector_product(net, params, inputs, labels, v)
    w = torch.nn.utils.parameters_to_vector(params).detach().clone()
    eps = 1e-4
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(w + eps * v, params)
    plus = gradient(net, params, inputs, labels)
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(w - eps * v, params)
    minus = gradient(net, params, inputs, labels)
    difference = (plus - minus) / (2 * eps)
    return ((hv - difference).norm() / difference.norm()).item()


def main():
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=4096)
    p.add_argument("--products", type=int, default=5, help="products per timed run")
    p.add_argument("--check", action="store_true", help="also compare with a finite difference (float64, 256 samples)")
    args = p.parse_args()
    device = common.setup(args)
    print(common.describe(device, args.threads))
    if args.check:
        error = check(device)
        print(f"# finite-difference check: relative difference {error:.2e}")
        if not error < 1e-6:
            sys.exit(f"hvp.py: Hv differs from the finite difference by {error:.2e}")
    torch.manual_seed(0)
    net = common.reference_mlp().to(device).eval()
    params = list(net.parameters())
    inputs, labels = common.synthetic_images(args.samples, device)
    generator = torch.Generator().manual_seed(1)
    v = torch.randn(sum(p.numel() for p in params), generator=generator).to(device)

    def work():
        for _ in range(args.products):
            hessian_vector_product(net, params, inputs, labels, v)

    seconds = common.median_seconds(args.repeats, work, device, warm_up=lambda: hessian_vector_product(net, params, inputs, labels, v))
    print(f"# {args.samples} samples, {args.products} products per run, median {seconds:.3f} s")
    common.result("hvp-mlp", device, args.threads, seconds / args.products * 1e3, "product")


if __name__ == "__main__":
    main()
