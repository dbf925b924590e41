using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Models;

/// <summary>
/// The 5-layer CNN of the deep double descent paper (Nakkiran et al. 2019): four 3x3 conv layers of
/// k, 2k, 4k, 8k channels, each followed by BatchNorm (optional here) and ReLU, max-pooling by 2 after
/// layers 2-4, a global max-pool and a linear head. The paper pools 4x4 on 32x32 inputs; a global
/// max-pool gives the same on CIFAR and also fits 28x28 Fashion-MNIST.
/// </summary>
public sealed class CnnK : LandscapeModel
{
    readonly Sequential features;
    readonly Linear head;

    public CnnK(ModelSpec spec) : base(nameof(CnnK), spec)
    {
        int k = spec.Width;
        if (k < 1) throw new LandscapeException($"cnn width k must be at least 1, got {k}");
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long channels = spec.InputChannels;
        int[] widths = { k, 2 * k, 4 * k, 8 * k };
        for (int i = 0; i < widths.Length; i++)
        {
            layers.Add(($"conv{i}", Conv2d(channels, widths[i], kernel_size: 3, padding: 1, bias: true)));
            if (spec.BatchNorm) layers.Add(($"bn{i}", BatchNorm2d(widths[i])));
            // Activation noise goes after BatchNorm, as in Li, Wei & Ma's code.
            if (spec.ActivationNoise > 0) layers.Add(($"noise{i}", new GaussianActivationNoise(spec.ActivationNoise)));
            layers.Add(($"relu{i}", ReLU()));
            if (i > 0) layers.Add(($"pool{i}", MaxPool2d(kernel_size: 2)));
            channels = widths[i];
        }
        layers.Add(("global_pool", AdaptiveMaxPool2d(new long[] { 1, 1 })));
        features = Sequential(layers);
        head = Linear(channels, spec.Classes);
        RegisterComponents();
    }

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
