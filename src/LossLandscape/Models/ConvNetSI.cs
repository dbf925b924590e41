using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Models;

/// <summary>
/// ConvNetSI of Lobacheva et al. (2021) and Kodryan et al. (2022): four blocks of 3x3 conv (no bias) -> BatchNorm2d
/// (no affine parameters) -> ReLU with c, 2c, 4c, 8c channels, max-pooling by 2 after blocks 2-4, a global max-pool
/// (as <see cref="CnnK"/>: 4x4 on CIFAR's 32x32, and it also fits 28x28) and a linear last layer without bias fixed at
/// norm <see cref="IScaleInvariantModel.HeadNorm"/> and frozen. Every trainable weight is scale invariant.
/// State names: features.conv{i}.weight, features.bn{i}.running_mean / running_var / num_batches_tracked, head.weight.
/// </summary>
public sealed class ConvNetSI : LandscapeModel, IScaleInvariantModel
{
    readonly Sequential features;
    readonly FrozenLinear head;

    public ConvNetSI(ModelSpec spec) : base(nameof(ConvNetSI), spec)
    {
        int c = spec.Width;
        if (c < 1) throw new LandscapeException($"convnet-si width c must be at least 1, got {c}");
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long channels = spec.InputChannels;
        for (int i = 0; i < 4; i++)
        {
            long width = (long)c << i;
            layers.Add(($"conv{i}", Conv2d(channels, width, kernel_size: 3, padding: 1, bias: false)));
            layers.Add(($"bn{i}", BatchNorm2d(width, affine: false)));
            layers.Add(($"relu{i}", ReLU()));
            if (i > 0) layers.Add(($"pool{i}", MaxPool2d(kernel_size: 2)));
            channels = width;
        }
        layers.Add(("global_pool", AdaptiveMaxPool2d(new long[] { 1, 1 })));
        features = Sequential(layers);
        head = new FrozenLinear(channels, spec.Classes, IScaleInvariantModel.HeadNorm);
        RegisterComponents();
    }

    public IReadOnlyList<string> ScaleInvariantParameterNames => named_parameters().Select(p => p.name).ToList();

    public override Tensor forward(Tensor input)
    {
        using var x = input.dim() == 2
            ? input.view(-1, Spec.InputChannels, Spec.ImageSize, Spec.ImageSize)
            : input.alias();
        using var pooled = features.call(x);
        using var flat = pooled.flatten(1);
        return head.call(flat);
    }
}
