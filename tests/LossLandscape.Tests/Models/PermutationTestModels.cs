using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Models;

/// <summary>Small models of every kind with a permutation spec, their state made "trained-looking".</summary>
public static class PermutationTestModels
{
    public static TheoryData<string> Kinds => new() { "mlp", "mlp-bn", "cnn", "cnn-bn", "resnet18" };

    public static ModelSpec Spec(string kind) => kind switch
    {
        "mlp" => new ModelSpec("mlp", 12, Depth: 3, InputChannels: 1, ImageSize: 6),
        "mlp-bn" => new ModelSpec("mlp", 12, Depth: 3, BatchNorm: true, InputChannels: 1, ImageSize: 6),
        "cnn" => new ModelSpec("cnn", 3, InputChannels: 3, ImageSize: 16),
        "cnn-bn" => new ModelSpec("cnn", 3, BatchNorm: true, InputChannels: 3, ImageSize: 16),
        "resnet18" => new ModelSpec("resnet18", 2, BatchNorm: true, InputChannels: 3, ImageSize: 16),
        _ => throw new ArgumentException(kind),
    };

    /// <summary>
    /// A model whose every float state entry is redrawn from a seeded generator, so that BatchNorm affine
    /// parameters and running statistics are not the constants of initialisation (which would hide a
    /// permutation that forgot them). Running variances stay positive; BatchNorm scales stay near 1.
    /// </summary>
    public static LandscapeModel Create(string kind, int seed)
    {
        var model = ModelRegistry.Create(Spec(kind), seed);
        var generator = new Generator((ulong)seed + 1000);
        using var _ = no_grad();
        foreach (var (name, t) in model.state_dict())
        {
            if (!t.is_floating_point()) continue;
            using var noise = randn(t.shape, generator: generator);
            if (name.EndsWith("running_var")) t.copy_(noise.abs_().add_(0.5));
            else if (t.dim() == 1 && name.EndsWith("weight")) t.copy_(noise.mul_(0.3).add_(1)); // BatchNorm scales: near-zero ones kill units
            else if (t.dim() >= 2) t.copy_(noise.mul_(Math.Sqrt(2.0 / (t.numel() / t.shape[0]))));
            else t.copy_(noise.mul_(0.3));
        }
        return model;
    }

    public static Tensor Inputs(ModelSpec spec, int count, int seed) =>
        randn(new long[] { count, spec.InputChannels, spec.ImageSize, spec.ImageSize }, generator: new Generator((ulong)seed));
}
