using System.CommandLine;
using LossLandscape.Data;

namespace LossLandscape.Cli;

/// <summary>The options that choose and prepare a dataset, shared by every command that trains.</summary>
public static class DataOptions
{
    public static readonly Option<string> Dataset = new("--dataset") { Description = "fashion-mnist, mnist, cifar-10 or cifar-100", DefaultValueFactory = _ => "fashion-mnist" };
    public static readonly Option<string?> DataDir = new("--data-dir") { Description = "where to look for the dataset first (also $LOSSLANDSCAPE_DATA)" };
    public static readonly Option<int?> TrainSize = new("--train-size") { Description = "train on a seeded subset of this many samples" };
    public static readonly Option<int?> TestSize = new("--test-size") { Description = "evaluate on a seeded subset of this many test samples" };
    public static readonly Option<double> LabelNoise = new("--label-noise") { Description = "share of training labels replaced by a wrong class, fixed by the seed", DefaultValueFactory = _ => 0.0 };
    public static readonly Option<int?> DataSeed = new("--data-seed") { Description = "seed of the data subsets and label noise (default: the run's --seed)" };
    public static readonly Option<bool> NoDownload = new("--no-download") { Description = "never download missing data" };

    public static void AddTo(Command command)
    {
        foreach (var o in new Option[] { Dataset, DataDir, TrainSize, TestSize, LabelNoise, DataSeed, NoDownload }) command.Add(o);
    }

    public static DataSettings Read(ParseResult p) => new(
        p.GetValue(Dataset)!, p.GetValue(DataDir), p.GetValue(TrainSize), p.GetValue(TestSize), p.GetValue(LabelNoise),
        Standardize: true, AllowDownload: !p.GetValue(NoDownload), DataSeed: p.GetValue(DataSeed));
}
