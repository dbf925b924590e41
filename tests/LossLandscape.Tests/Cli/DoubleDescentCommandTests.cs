using System.Text.Json;

namespace LossLandscape.Tests.Cli;

public class DoubleDescentCommandTests
{
    [Theory]
    [InlineData("width", "nll.png", 3)]
    [InlineData("epochs", "nll.png", 3)]
    [InlineData("samples", "nll.png", 2)]
    [InlineData("features", "mse.png", 3)]
    public void SmokePresetRunsEndToEnd(string axis, string figure, int axisValues)
    {
        var outFolder = CliRunner.TempFolder("dd-" + axis);
        CliRunner.RunOk("experiment", "double-descent", "--axis", axis, "--preset", "smoke", "--out", outFolder, "--jobs", "2");
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "double-descent.json")));
        var summary = report.RootElement.GetProperty("summary");
        Assert.Equal(axisValues, summary.GetArrayLength());
        foreach (var row in summary.EnumerateArray())
        {
            Assert.InRange(row.GetProperty("test_error").GetDouble(), 0.0, 1.0);
            Assert.InRange(row.GetProperty("train_error").GetDouble(), 0.0, 1.0);
        }
        if (axis != "features")
            foreach (var row in summary.EnumerateArray())
                Assert.True(row.GetProperty("test_cnll").GetDouble() <= row.GetProperty("test_nll").GetDouble() + 0.05, "calibration should not hurt much");
        Assert.True(File.Exists(Path.Combine(outFolder, figure)));
        Assert.True(File.Exists(Path.Combine(outFolder, "points.csv")));
        Directory.Delete(outFolder, true);
    }
}

public class MemorisationFigureTests
{
    [Fact]
    public void EpochsAxisOfAScaleInvariantNetLogsNormAndSharpnessWithTheAnnealMarked()
    {
        var outFolder = CliRunner.TempFolder("dd-si");
        CliRunner.RunOk("experiment", "double-descent", "--axis", "epochs", "--preset", "smoke", "--model", "mlp-si", "--width", "32",
            "--si-sharpness", "1", "--anneal-epoch", "2", "--out", outFolder);
        var metrics = LossLandscape.Runs.MetricsFile.Read(Path.Combine(outFolder, "runs", "tasks", "seed-0", "metrics.csv"));
        Assert.Equal(3, metrics.Count);
        Assert.All(metrics, r => Assert.True(r.Extra["si_sharpness"] > 0 && r.Extra["si_norm"] > 0));
        Assert.Equal(0.1 * metrics[0].LearningRate, metrics[2].LearningRate, 12); // annealed from epoch index 2
        foreach (var figure in new[] { "epochs-test-loss", "epochs-weight-norm", "epochs-si-sharpness" })
            Assert.True(File.Exists(Path.Combine(outFolder, figure + ".png")), figure);
        Directory.Delete(outFolder, true);
    }

    [Theory]
    [InlineData("--optimizer", "rmsprop", "is not one of adam, sgd")]
    [InlineData("--lr", "0", "--lr must be positive")]
    [InlineData("--anneal-epoch", "9", "--anneal-epoch must lie in")]
    public void BadTrainingSettingsGetOneLine(string option, string value, string expected)
    {
        var folder = Path.Combine(CliRunner.TempFolder("dd-bad"), "out");
        var r = CliRunner.Run("experiment", "double-descent", "--axis", "epochs", "--preset", "smoke", option, value, "--out", folder, "--progress", "none");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void SharpnessOfANetThatIsNotScaleInvariantIsRefused()
    {
        var folder = Path.Combine(CliRunner.TempFolder("si-bad"), "run");
        var r = CliRunner.Run("train", "--model", "mlp", "--epochs", "1", "--train-size", "200", "--si-sharpness", "1", "--out", folder, "--progress", "none");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("needs a scale-invariant model", r.Stderr);
        Assert.False(Directory.Exists(folder));
    }
}
