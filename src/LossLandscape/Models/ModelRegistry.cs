namespace LossLandscape.Models;

/// <summary>The architectures the tool knows, by name.</summary>
public static class ModelRegistry
{
    public sealed record Entry(string Name, string Description, Func<ModelSpec, LandscapeModel> Create);

    static readonly Dictionary<string, Entry> entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mlp"] = new("mlp", "fully connected ReLU net: --width units x --depth hidden layers, optional --bn", s => new Mlp(s)),
        ["cnn"] = new("cnn", "Nakkiran's 5-layer CNN-k: widths k,2k,4k,8k (--width k), BatchNorm by default", s => new CnnK(s)),
        ["resnet18"] = new("resnet18", "Nakkiran's pre-activation ResNet-18-k: stage widths k,2k,4k,8k (--width k), always BatchNorm", s => new ResNet18K(s with { BatchNorm = true })),
        ["convnet-si"] = new("convnet-si", "scale-invariant ConvNetSI: conv (no bias) + BatchNorm (no affine) blocks of c,2c,4c,8c channels (--width c), last layer frozen at norm 10", s => new ConvNetSI(s with { BatchNorm = true })),
        ["mlp-si"] = new("mlp-si", "scale-invariant MLP: --depth layers of linear (no bias) + BatchNorm (no affine) + ReLU, --width units, last layer frozen at norm 10", s => new MlpSI(s with { BatchNorm = true })),
    };

    public static IReadOnlyCollection<Entry> All => entries.Values;

    public static Entry Get(string name) =>
        entries.TryGetValue(name, out var e)
            ? e
            : throw new LandscapeException($"unknown model '{name}'; known models: {string.Join(", ", entries.Keys)}");

    /// <summary>Builds a model with freshly initialised weights (drawn from TorchSharp's global generator).</summary>
    public static LandscapeModel Create(ModelSpec spec) => Get(spec.Kind).Create(spec with { Kind = Get(spec.Kind).Name });

    /// <summary>Builds a model whose initial weights are fixed by <paramref name="seed"/>.</summary>
    public static LandscapeModel Create(ModelSpec spec, int seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        return Create(spec);
    }
}
