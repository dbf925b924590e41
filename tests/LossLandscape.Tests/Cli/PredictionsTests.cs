using System.Globalization;
using LossLandscape.Runs;

namespace LossLandscape.Tests.Cli;

/// <summary>`train --save-logits` stores test predictions that reproduce the run's own test accuracy; `--data-seed` pins the data across seeds.</summary>
public class PredictionsTests
{
    [Fact]
    public void SavedLogitsGiveTheReportedTestAccuracy()
    {
        var folder = Path.Combine(CliRunner.TempFolder("logits"), "run");
        CliRunner.RunOk("train", "--model", "mlp", "--width", "16", "--epochs", "1", "--train-size", "1000", "--test-size", "700",
            "--checkpoint-every", "0", "--save-logits", "--out", folder);
        var predictions = Predictions.Read(folder, "test");
        Assert.Equal((700, 10), (predictions.Samples, predictions.Classes));
        int correct = 0;
        for (int i = 0; i < predictions.Samples; i++)
        {
            int best = 0;
            for (int c = 1; c < predictions.Classes; c++)
                if (predictions.Logits[i, c] > predictions.Logits[i, best]) best = c;
            if (best == predictions.Labels[i]) correct++;
        }
        var last = MetricsFile.Read(Path.Combine(folder, MetricsFile.FileName))[^1];
        Assert.Equal(last.TestAccuracy, correct / 700.0, 9);
        Assert.True(predictions.Labels.Distinct().Count() > 5);
        Assert.Equal(1000, Predictions.Read(folder, "train").Samples);
    }

    [Fact]
    public void RunsWithOneDataSeedShareTheirDataButNotTheirWeights()
    {
        string Train(int seed, int dataSeed)
        {
            var folder = Path.Combine(CliRunner.TempFolder("data-seed"), "run");
            CliRunner.RunOk("train", "--model", "mlp", "--width", "16", "--epochs", "1", "--train-size", "500", "--test-size", "300",
                "--label-noise", "0.2", "--checkpoint-every", "0", "--seed", seed.ToString(CultureInfo.InvariantCulture),
                "--data-seed", dataSeed.ToString(CultureInfo.InvariantCulture), "--save-logits", "--out", folder);
            return folder;
        }
        var a = Train(0, 5);
        var b = Train(1, 5);
        var c = Train(0, 6);
        string Noise(string f) => File.ReadAllText(Path.Combine(f, "label_noise.csv"));
        Assert.Equal(Noise(a), Noise(b));
        Assert.NotEqual(Noise(a), Noise(c));
        Assert.Equal(Predictions.Read(a, "test").Labels, Predictions.Read(b, "test").Labels);
        Assert.NotEqual(Predictions.Read(a, "test").Logits[0, 0], Predictions.Read(b, "test").Logits[0, 0]);
    }
}
