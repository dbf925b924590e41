using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Models;

/// <summary>
/// A linear layer without bias whose weight [outputs, inputs] is drawn as nn.Linear draws it, U(-1/sqrt(inputs),
/// 1/sqrt(inputs)), rescaled to Frobenius norm <c>norm</c>, and then never trained. The weight is a buffer, not a
/// parameter, so no optimiser, Hessian, direction or parameter vector ever sees it; it is still in the state dict
/// (as "weight"), so checkpoints carry it and a PyTorch module with a frozen <c>nn.Linear(bias=False)</c> loads it.
/// </summary>
public sealed class FrozenLinear : nn.Module<Tensor, Tensor>
{
    Tensor weight; // not readonly: module.to() replaces registered tensor fields

    public FrozenLinear(long inputs, long outputs, double norm) : base(nameof(FrozenLinear))
    {
        if (!(norm > 0) || double.IsInfinity(norm)) throw new LandscapeException($"the frozen layer's norm must be positive, got {norm}");
        using (no_grad())
        {
            double bound = 1 / Math.Sqrt(inputs);
            weight = empty(outputs, inputs).uniform_(-bound, bound);
            using var current = weight.norm();
            weight.mul_(norm / current.ToDouble());
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => nn.functional.linear(input, weight);
}
