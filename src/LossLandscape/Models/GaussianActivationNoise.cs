using static TorchSharp.torch;

namespace LossLandscape.Models;

/// <summary>
/// Adds N(0, Std^2) noise to activations in training mode only (Li, Wei &amp; Ma 2019 add it after BatchNorm; in
/// an MLP it goes on the hidden pre-activations). <see cref="Std"/> is set from outside, so an experiment can
/// anneal the noise together with the learning rate. Holds no state, so checkpoints are unaffected.
/// </summary>
public sealed class GaussianActivationNoise : nn.Module<Tensor, Tensor>
{
    public GaussianActivationNoise(double std) : base(nameof(GaussianActivationNoise)) => Std = std;

    public double Std { get; set; }

    public override Tensor forward(Tensor input) =>
        training && Std > 0 ? input.add(randn_like(input).mul_(Std)) : input.alias();
}
