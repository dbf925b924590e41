using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Models;

/// <summary>
/// Fully connected ReLU network: Depth hidden layers of Width units, optional BatchNorm before each ReLU.
/// State names: features.linear{i}.weight, features.bn{i}.*, head.weight, head.bias (as a PyTorch user
/// would name them), so checkpoints load into the equivalent PyTorch module.
/// </summary>
public sealed class Mlp : LandscapeModel
{
    readonly Sequential features;
    readonly Linear head;

    public Mlp(ModelSpec spec) : base(nameof(Mlp), spec)
    {
        if (spec.Width < 1) throw new LandscapeException($"mlp width must be at least 1, got {spec.Width}");
        if (spec.Depth < 0) throw new LandscapeException($"mlp depth must be non-negative, got {spec.Depth}");
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long inputs = spec.InputFeatures;
        for (int i = 0; i < spec.Depth; i++)
        {
            layers.Add(($"linear{i}", Linear(inputs, spec.Width)));
            if (spec.ActivationNoise > 0) layers.Add(($"noise{i}", new GaussianActivationNoise(spec.ActivationNoise)));
            if (spec.BatchNorm) layers.Add(($"bn{i}", BatchNorm1d(spec.Width)));
            layers.Add(($"relu{i}", ReLU()));
            inputs = spec.Width;
        }
        features = Sequential(layers);
        head = Linear(inputs, spec.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var flat = input.flatten(1);
        using var hidden = features.call(flat);
        return head.call(hidden);
    }
}
