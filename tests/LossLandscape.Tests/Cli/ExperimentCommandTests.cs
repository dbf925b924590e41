using System.Text.Json;

namespace LossLandscape.Tests.Cli;

public class ExperimentCommandTests
{
    [Fact]
    public void EdgeOfStabilitySmokeRunsEndToEnd()
    {
        var outFolder = CliRunner.TempFolder("eos");
        var r = CliRunner.Run("experiment", "edge-of-stability", "--preset", "smoke", "--out", outFolder, "--progress", "none", "--threads", "2");
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "edge-of-stability.json")));
        Assert.Equal(20.0, report.RootElement.GetProperty("threshold").GetDouble(), 9);
        Assert.True(report.RootElement.GetProperty("samples").GetArrayLength() >= 4);
        Assert.True(File.Exists(Path.Combine(outFolder, "sharpness.png")));
        Directory.Delete(outFolder, true);
    }
}

public class LearningRateExperimentTests
{
    [Theory]
    [InlineData("patch-toy", "patch-only.png")]
    [InlineData("lr-regimes", "accuracy.png")]
    public void SmokePresetRunsEndToEnd(string experiment, string figure)
    {
        var outFolder = CliRunner.TempFolder(experiment);
        var r = CliRunner.RunOk("experiment", experiment, "--preset", "smoke", "--out", outFolder);
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "lr-regimes.json")));
        Assert.Equal(3, report.RootElement.GetProperty("outcomes").GetArrayLength());
        Assert.True(report.RootElement.GetProperty("verdicts").GetArrayLength() >= 5);
        Assert.True(File.Exists(Path.Combine(outFolder, figure)));
        Assert.Contains("flatter", r.Stdout);
        Directory.Delete(outFolder, true);
    }
}

public class MinefieldExperimentTests
{
    [Fact]
    public void SmokePresetFindsAndMeasuresPoisonedMinima()
    {
        var outFolder = CliRunner.TempFolder("minefield");
        CliRunner.RunOk("experiment", "minefield", "--preset", "smoke", "--out", outFolder);
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "minefield.json")));
        var seed = report.RootElement.GetProperty("seeds")[0];
        var bad = seed.GetProperty("bad_minima");
        Assert.Equal(4, bad.GetArrayLength()); // two poison kinds from checkpoints 0 and 2
        Assert.True(seed.GetProperty("path_displacement").GetDouble() > 0);
        foreach (var b in bad.EnumerateArray()) Assert.True(b.GetProperty("distance_from_start").GetDouble() > 0);
        Assert.True(report.RootElement.GetProperty("verdicts").GetArrayLength() >= 1);
        Assert.True(File.Exists(Path.Combine(outFolder, "seed-0", "minefield.png")));
        Directory.Delete(outFolder, true);
    }
}

public class TrainerStopTests
{
    sealed class StopAfter : LossLandscape.Training.ITrainingCallback
    {
        public void OnEpoch(LossLandscape.Training.Trainer trainer, LossLandscape.Training.EpochEnd epoch)
        {
            if (epoch.Epoch == 2) epoch.Stop("enough");
        }
    }

    [Fact]
    public void ACallbackCanEndTrainingEarly()
    {
        using var data = LossLandscape.Data.SyntheticSets.GaussianMixture(new LossLandscape.Data.GaussianMixtureSettings(3, 5, 2.0, 90, 30, Seed: 1));
        using var model = LossLandscape.Models.ModelRegistry.Create(new LossLandscape.Models.ModelSpec("mlp", 8, 1, InputChannels: 5, ImageSize: 1, Classes: 3), 0);
        using var trainer = new LossLandscape.Training.Trainer(model, data, new LossLandscape.Training.TrainSettings(Epochs: 10, BatchSize: 30), null, new[] { new StopAfter() });
        var result = trainer.Train();
        Assert.Equal(2, result.Rows.Count);
        Assert.Equal("enough", result.Detail);
    }
}
