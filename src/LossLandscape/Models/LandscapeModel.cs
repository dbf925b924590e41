using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Models;

/// <summary>A classifier that knows its own <see cref="ModelSpec"/>; maps inputs [N, ...] to logits [N, classes].</summary>
public abstract class LandscapeModel : nn.Module<Tensor, Tensor>
{
    protected LandscapeModel(string name, ModelSpec spec) : base(name) => Spec = spec;

    public ModelSpec Spec { get; }

    /// <summary>Trainable parameters (BatchNorm running statistics excluded).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>True when the model holds BatchNorm layers (whose statistics depend on the data seen).</summary>
    /// <summary>Sets the std of every activation-noise layer (no effect on a model built without noise).</summary>
    public void SetActivationNoise(double std)
    {
        foreach (var noise in modules().OfType<GaussianActivationNoise>()) noise.Std = std;
    }

    public bool HasBatchNorm => modules().Any(m => m is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d);
}
