using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Models;

/// <summary>
/// The scale-invariant MLP: Depth hidden layers of Linear (no bias) -> BatchNorm1d (no affine parameters) -> ReLU,
/// and a last layer fixed at norm <see cref="IScaleInvariantModel.HeadNorm"/> and frozen (Lobacheva et al. 2021 build
/// ConvNetSI this way). Every trainable weight is scale invariant, each hidden layer even on its own.
/// State names: features.linear{i}.weight, features.bn{i}.running_mean / running_var / num_batches_tracked, head.weight.
/// </summary>
public sealed class MlpSI : LandscapeModel, IScaleInvariantModel
{
    readonly Sequential features;
    readonly FrozenLinear head;

    public MlpSI(ModelSpec spec) : base(nameof(MlpSI), spec)
    {
        if (spec.Width < 1) throw new LandscapeException($"mlp-si width must be at least 1, got {spec.Width}");
        if (spec.Depth < 1) throw new LandscapeException($"mlp-si needs at least one hidden layer (its last layer is frozen), got depth {spec.Depth}");
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long inputs = spec.InputFeatures;
        for (int i = 0; i < spec.Depth; i++)
        {
            layers.Add(($"linear{i}", Linear(inputs, spec.Width, hasBias: false)));
            layers.Add(($"bn{i}", BatchNorm1d(spec.Width, affine: false)));
            layers.Add(($"relu{i}", ReLU()));
            inputs = spec.Width;
        }
        features = Sequential(layers);
        head = new FrozenLinear(inputs, spec.Classes, IScaleInvariantModel.HeadNorm);
        RegisterComponents();
    }

    public IReadOnlyList<string> ScaleInvariantParameterNames => named_parameters().Select(p => p.name).ToList();

    public override Tensor forward(Tensor input)
    {
        using var flat = input.flatten(1);
        using var hidden = features.call(flat);
        return head.call(hidden);
    }
}
