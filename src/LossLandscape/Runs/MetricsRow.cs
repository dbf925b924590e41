using System.Globalization;

namespace LossLandscape.Runs;

/// <summary>
/// One row of metrics.csv (one per epoch). Columns:
/// epoch (1-based, completed epochs), step (optimisation steps so far), lr (at the epoch's last step),
/// train_loss and train_acc (means over the epoch's mini-batches, in train mode), test_loss and test_acc
/// (eval mode, whole test set), weight_norm (L2 norm of all trainable parameters at the end of the epoch),
/// grad_norm (mean over the epoch's steps of the mini-batch gradient's L2 norm), epoch_seconds and
/// samples_per_second (wall clock, the only columns that differ between identical runs), then any columns
/// added by callbacks.
/// </summary>
public sealed class MetricsRow
{
    public static readonly string[] WallClockColumns = { "epoch_seconds", "samples_per_second" };

    public long Epoch { get; init; }
    public long Step { get; init; }
    public double LearningRate { get; init; }
    public double TrainLoss { get; init; }
    public double TrainAccuracy { get; init; }
    public double TestLoss { get; set; }
    public double TestAccuracy { get; set; }
    public double WeightNorm { get; init; }
    public double GradNorm { get; init; }
    public double EpochSeconds { get; set; }
    public double SamplesPerSecond { get; set; }
    public Dictionary<string, double> Extra { get; } = new();

    public static readonly string[] FixedColumns =
    {
        "epoch", "step", "lr", "train_loss", "train_acc", "test_loss", "test_acc", "weight_norm", "grad_norm",
        "epoch_seconds", "samples_per_second",
    };

    public IEnumerable<KeyValuePair<string, double>> Values()
    {
        yield return new("epoch", Epoch);
        yield return new("step", Step);
        yield return new("lr", LearningRate);
        yield return new("train_loss", TrainLoss);
        yield return new("train_acc", TrainAccuracy);
        yield return new("test_loss", TestLoss);
        yield return new("test_acc", TestAccuracy);
        yield return new("weight_norm", WeightNorm);
        yield return new("grad_norm", GradNorm);
        yield return new("epoch_seconds", EpochSeconds);
        yield return new("samples_per_second", SamplesPerSecond);
        foreach (var kv in Extra) yield return kv;
    }

    /// <summary>Round-trip formatting ("R"), so that equal runs give byte-identical files.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
