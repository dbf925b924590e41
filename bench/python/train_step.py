"""Training step loop, the same work as one epoch of LossLandscape's Trainer (bench `training --steps S`):
a seeded shuffle of S x 128 images, then per step of batch 128: forward, cross-entropy, backward, the gradient
norm, SGD (lr 0.01, momentum 0.9), loss and accuracy sums kept on the device, a divergence check every 50
steps; at the end the sums are read, the weight norm taken and one test sample evaluated.

    python3 bench/python/train_step.py --model mlp|cnn8|cnn16 --steps 200 --device cuda --threads 2
"""
import math

import torch
import torch.nn.functional as F

import common


def epoch(net, inputs, labels, test, generator, device):
    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    params = list(net.parameters())
    n = inputs.shape[0]
    steps = math.ceil(n / common.BATCH)
    order = torch.randperm(n, generator=generator).to(device)
    inputs, labels = inputs.index_select(0, order), labels.index_select(0, order)
    loss_sums = torch.zeros(steps, dtype=torch.float64, device=device)
    correct = torch.zeros(1, dtype=torch.int64, device=device)
    grad_norm_sum = torch.zeros(1, dtype=torch.float64, device=device)
    checked = 0
    for i in range(steps):
        x = inputs[i * common.BATCH:(i + 1) * common.BATCH]
        y = labels[i * common.BATCH:(i + 1) * common.BATCH]
        optimizer.zero_grad()
        logits = net(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        with torch.no_grad():
            grad_norm_sum += torch.stack([p.grad.pow(2).sum() for p in params]).sum().sqrt().double()
            optimizer.step()
            loss_sums[i] = loss.detach().double() * y.shape[0]
            correct += (logits.argmax(1) == y).sum()
        if (i + 1) % 50 == 0 or i == steps - 1:
            if not torch.isfinite(loss_sums[checked:i + 1]).all().item():
                raise RuntimeError(f"loss diverged before step {i + 1}")
            checked = i + 1
    net.eval()
    with torch.no_grad():
        test_loss = F.cross_entropy(net(test[0]), test[1]).item()
        weight_norm = torch.stack([p.double().pow(2).sum() for p in params]).sum().sqrt().item()
    return loss_sums.sum().item() / n, correct.item() / n, grad_norm_sum.item() / steps, test_loss, weight_norm


def main():
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--model", default="mlp", choices=["mlp", "cnn8", "cnn16"])
    p.add_argument("--steps", type=int, default=200)
    args = p.parse_args()
    device = common.setup(args)
    print(common.describe(device, args.threads))
    torch.manual_seed(0)
    net = common.model(args.model).to(device)
    inputs, labels = common.synthetic_images(args.steps * common.BATCH, device)
    test = common.synthetic_images(1, device, seed=1)
    generator = torch.Generator().manual_seed(0)
    last = {}
    seconds = common.median_seconds(args.repeats, lambda: last.update(r=epoch(net, inputs, labels, test, generator, device)), device)
    train_loss, train_acc, grad_norm, _, weight_norm = last["r"]
    print(f"# {args.model}: {args.steps} steps, median {seconds:.3f} s; last epoch train loss {train_loss:.4f}, "
          f"accuracy {train_acc:.3f}, mean grad norm {grad_norm:.3f}, weight norm {weight_norm:.2f}")
    common.result(f"train-{args.model}", device, args.threads, seconds / args.steps * 1e3, "step")


if __name__ == "__main__":
    main()
