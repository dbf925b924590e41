using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Data;

/// <summary>
/// Seeded selections of samples. All of them are defined through one seeded permutation of [0, N), so the
/// same seed picks the same samples on every run, and a smaller selection is a prefix of a larger one.
/// </summary>
public static class Sampling
{
    /// <summary>A permutation of [0, count) (int64) drawn from its own generator.</summary>
    public static Tensor Permutation(long count, int seed) =>
        torch.randperm(count, generator: new torch.Generator((ulong)seed));

    /// <summary>
    /// The first <paramref name="count"/> samples of a seeded permutation, in permutation order. For a fixed
    /// seed, Subset(d, n1) is contained in Subset(d, n2) whenever n1 &lt;= n2, which sample-wise double descent
    /// sweeps rely on: growing the training set only adds samples.
    /// </summary>
    public static Dataset Subset(Dataset dataset, long count, int seed)
    {
        if (count < 0 || count > dataset.Count)
            throw new LandscapeException($"cannot take a subset of {count} samples from {dataset.Name}, which has {dataset.Count}");
        using var scope = torch.NewDisposeScope();
        var indices = Permutation(dataset.Count, seed).narrow(0, 0, count);
        return KeepOutsideScope(dataset.Select(indices, $"{dataset.Name}[{count}]"));
    }

    /// <summary>
    /// Splits off <paramref name="validationCount"/> samples for validation: the permutation's first
    /// validationCount entries become validation, the rest train. The two are disjoint and cover the dataset.
    /// </summary>
    public static (Dataset Train, Dataset Validation) TrainValidationSplit(Dataset dataset, long validationCount, int seed)
    {
        if (validationCount < 0 || validationCount > dataset.Count)
            throw new LandscapeException($"cannot hold out {validationCount} validation samples from {dataset.Name}, which has {dataset.Count}");
        using var scope = torch.NewDisposeScope();
        var permutation = Permutation(dataset.Count, seed);
        var validation = KeepOutsideScope(dataset.Select(permutation.narrow(0, 0, validationCount), $"{dataset.Name}/validation"));
        var train = KeepOutsideScope(dataset.Select(permutation.narrow(0, validationCount, dataset.Count - validationCount), $"{dataset.Name}/train"));
        return (train, validation);
    }

    /// <summary>As above with the validation size given as a fraction in [0, 1], rounded to the nearest count.</summary>
    public static (Dataset Train, Dataset Validation) TrainValidationSplit(Dataset dataset, double validationFraction, int seed)
    {
        if (!(validationFraction >= 0 && validationFraction <= 1))
            throw new LandscapeException($"validation fraction must lie in [0, 1], got {validationFraction}");
        return TrainValidationSplit(dataset, (long)Math.Round(validationFraction * dataset.Count, MidpointRounding.AwayFromZero), seed);
    }

    static Dataset KeepOutsideScope(Dataset dataset)
    {
        dataset.Inputs.MoveToOuterDisposeScope();
        dataset.Labels.MoveToOuterDisposeScope();
        return dataset;
    }
}
