using LossLandscape.Data;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments.Probes;

public enum DataPart { Train, Test }

/// <summary>Which data a probe measures: the training or test part of the model's own data, optionally a seeded subset.</summary>
public sealed record ProbeData(DataPart Part = DataPart.Test, int? Samples = null, int Seed = 0)
{
    /// <summary>The chosen part (a subset when asked) of the data the model was trained with; the caller disposes it.</summary>
    public Dataset Select(DataSplit split)
    {
        var source = Part == DataPart.Train ? split.Train : split.Test;
        if (Samples is not { } n || n >= source.Count) return source.Select(arange(source.Count, device: source.Inputs.device));
        if (n < 1) throw new LandscapeException($"--samples must be at least 1, got {n}");
        return Sampling.Subset(source, n, Seed);
    }
}
