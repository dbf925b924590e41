using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Data;

/// <summary>
/// Which data a run uses and how it is prepared, in this order: load (and if allowed fetch) the dataset, take
/// nested seeded subsets of the training and test sets, corrupt a fixed share of training labels, standardise
/// with the training set's mean and std, move to the device. Test labels are never corrupted.
/// </summary>
/// <param name="DataDir">Where to look first (the dataset's files, or a folder holding a folder per dataset).</param>
/// <param name="TrainSize">Use this many training samples (a seeded subset; nested for growing sizes).</param>
/// <param name="LabelNoise">Share of training labels replaced by a different, random class (fixed by the seed).</param>
/// <param name="DataSeed">Seed of the subsets and the label noise when it must not follow the run's seed (members of
/// an ensemble pool share their data and differ in initialisation and shuffling); null: the run's seed.</param>
public sealed record DataSettings(
    string Dataset = "fashion-mnist",
    string? DataDir = null,
    int? TrainSize = null,
    int? TestSize = null,
    double LabelNoise = 0,
    bool Standardize = true,
    bool AllowDownload = true,
    int? DataSeed = null)
{
    public void Validate()
    {
        if (TrainSize is < 1) throw new LandscapeException($"--train-size must be at least 1, got {TrainSize}");
        if (TestSize is < 1) throw new LandscapeException($"--test-size must be at least 1, got {TestSize}");
        if (LabelNoise is < 0 or > 1) throw new LandscapeException($"--label-noise must lie in [0, 1], got {LabelNoise}");
    }

    public DataSplit Load(int seed, Device device, Action<FetchProgress>? downloadProgress = null) =>
        Load(seed, device, downloadProgress, out _);

    public DataSplit Load(int seed, Device device, Action<FetchProgress>? downloadProgress, out long[] corruptedTrainIndices)
    {
        Validate();
        using var raw = DataCatalog.Load(Dataset, DataDir, new DataLoadOptions(AllowDownload, Progress: downloadProgress));
        seed = DataSeed ?? seed;
        var train = TrainSize is { } n ? Take(raw.Train, n, seed, "training") : raw.Train.Select(arange(raw.Train.Count));
        var test = TestSize is { } m ? Take(raw.Test, m, seed + 1, "test") : raw.Test.Select(arange(raw.Test.Count));
        corruptedTrainIndices = Array.Empty<long>();
        if (LabelNoise > 0)
        {
            var noisy = Data.LabelNoise.Apply(train, LabelNoise, seed);
            train.Dispose();
            train = noisy.Dataset;
            corruptedTrainIndices = noisy.CorruptedIndices;
        }
        if (Standardize)
        {
            var standardization = Standardization.Fit(train);
            using var oldTrain = train;
            using var oldTest = test;
            train = standardization.Apply(oldTrain);
            test = standardization.Apply(oldTest);
        }
        var split = new DataSplit(train.To(device), test.To(device));
        if (!ReferenceEquals(split.Train, train)) train.Dispose();
        if (!ReferenceEquals(split.Test, test)) test.Dispose();
        return split;
    }

    static Dataset Take(Dataset data, int count, int seed, string what)
    {
        if (count > data.Count) throw new LandscapeException($"asked for {count} {what} samples, {data.Name} has {data.Count}");
        return Sampling.Subset(data, count, seed);
    }
}
