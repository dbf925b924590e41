using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Data;

/// <summary>A dataset with some labels replaced, and which ones (sorted ascending).</summary>
public sealed record NoisyLabels(Dataset Dataset, long[] CorruptedIndices) : IDisposable
{
    public void Dispose() => Dataset.Dispose();
}

/// <summary>
/// Symmetric label noise as used in double-descent experiments: exactly round(rate * N) samples, chosen by
/// the seed, get a label drawn uniformly from the other classes, so every chosen label really changes and
/// the realised noise rate is the requested one rather than rate * (C-1)/C.
/// </summary>
public static class LabelNoise
{
    public static NoisyLabels Apply(Dataset dataset, double rate, int seed)
    {
        if (!(rate >= 0 && rate <= 1))
            throw new LandscapeException($"label noise rate must lie in [0, 1], got {rate}");
        if (dataset.Classes < 2 && rate > 0)
            throw new LandscapeException($"cannot corrupt labels of {dataset.Name}: it has fewer than 2 classes");
        long count = (long)Math.Round(rate * dataset.Count, MidpointRounding.AwayFromZero);
        var generator = new torch.Generator((ulong)seed);
        using var scope = torch.NewDisposeScope();
        // Drawn on the CPU (the generator's device), so the same seed corrupts the same labels on every device.
        var chosen = torch.randperm(dataset.Count, generator: generator).narrow(0, 0, count).sort().Values;
        // Adding 1..C-1 modulo C maps each label uniformly onto the other classes.
        var shift = torch.randint(1, Math.Max(dataset.Classes, 2), [count], dtype: ScalarType.Int64, generator: generator);
        var labels = dataset.Labels.clone();
        var device = labels.device;
        var chosenHere = chosen.to(device);
        var replaced = (labels.index_select(0, chosenHere) + shift.to(device)).remainder_(dataset.Classes);
        labels.index_copy_(0, chosenHere, replaced);
        var noisy = new Dataset($"{dataset.Name}+noise{rate}", dataset.Inputs.clone().MoveToOuterDisposeScope(),
            labels.MoveToOuterDisposeScope(), dataset.Classes);
        return new NoisyLabels(noisy, chosen.data<long>().ToArray());
    }
}
