using System.Globalization;
using System.Text.Json;

namespace LossLandscape.Tests.Cli;

public class ScaleInvarianceCommandTests
{
    [Fact]
    public void PeriodicSmokePresetRunsEndToEnd()
    {
        var outFolder = CliRunner.TempFolder("si");
        var r = CliRunner.RunOk("experiment", "scale-invariance", "--preset", "smoke", "--out", outFolder);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "scale-invariance.json")));
        var run = Assert.Single(report.RootElement.GetProperty("runs").EnumerateArray());
        Assert.True(run.GetProperty("initial_norm").GetDouble() > 0);
        Assert.True(report.RootElement.GetProperty("verdicts").GetArrayLength() >= 1);
        foreach (var figure in new[] { "norm.png", "phase.png", "train-loss.png", "sharpness.png" }) Assert.True(File.Exists(Path.Combine(outFolder, figure)), figure);
        var header = File.ReadLines(Path.Combine(outFolder, "lr1-s0", "metrics.csv")).First().Split(',');
        foreach (var column in new[] { "si_norm", "effective_lr", "effective_grad_norm", "si_sharpness", "si_top_eigenvalue" }) Assert.Contains(column, header);
        Assert.Contains("period", r.Stdout);
        Directory.Delete(outFolder, true);
    }

    [Fact]
    public void SphereSmokePresetRunsEndToEnd()
    {
        var outFolder = CliRunner.TempFolder("sphere");
        var r = CliRunner.RunOk("experiment", "sphere", "--preset", "smoke", "--out", outFolder);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "sphere.json")));
        var runs = report.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(3, runs.Count);
        foreach (var run in runs)
        {
            double elr = run.GetProperty("effective_learning_rate").GetDouble(), radius = run.GetProperty("radius").GetDouble();
            Assert.Equal(elr * radius * radius, run.GetProperty("learning_rate").GetDouble(), 9);
            Assert.Contains(run.GetProperty("call").GetProperty("regime").GetString(), new[] { "converging", "chaotic_equilibrium", "diverging" });
        }
        Assert.True(File.Exists(Path.Combine(outFolder, "regimes.png")));
        Assert.Contains("seed 0:", r.Stdout);
        Directory.Delete(outFolder, true);
    }

    [Fact]
    public void TrainFixElrHoldsTheEffectiveLearningRate()
    {
        var outFolder = CliRunner.TempFolder("fix-elr");
        CliRunner.RunOk("train", "--model", "mlp-si", "--width", "16", "--depth", "1", "--fix-elr", "0.01", "--epochs", "2",
            "--train-size", "256", "--test-size", "100", "--out", outFolder);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "run.json")));
        var training = manifest.RootElement.GetProperty("settings").GetProperty("training");
        double radius = training.GetProperty("sphere").GetProperty("radius").GetDouble();
        Assert.Equal(0.01 * radius * radius, training.GetProperty("optimizer").GetProperty("learning_rate").GetDouble(), 12);
        Assert.Equal(0.0, training.GetProperty("optimizer").GetProperty("momentum").GetDouble());
        var lines = File.ReadAllLines(Path.Combine(outFolder, "metrics.csv"));
        var header = lines[0].Split(',');
        int elr = Array.IndexOf(header, "effective_lr"), rho = Array.IndexOf(header, "si_norm");
        Assert.True(elr >= 0 && rho >= 0);
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            Assert.Equal(1.0, double.Parse(cells[elr], CultureInfo.InvariantCulture) / 0.01, 5);
            Assert.Equal(1.0, double.Parse(cells[rho], CultureInfo.InvariantCulture) / radius, 6);
        }
        Directory.Delete(outFolder, true);
    }

    [Theory]
    [InlineData("not scale invariant", "--model", "mlp")]
    [InlineData("weight decay", "--model", "mlp-si", "--weight-decay", "0.001")]
    [InlineData("leave out --lr", "--model", "mlp-si", "--lr", "0.1")]
    public void TrainFixElrRejectsWhatBreaksIt(string message, params string[] args)
    {
        var outFolder = Path.Combine(Path.GetTempPath(), $"ll-fix-elr-bad-{Guid.NewGuid():N}");
        var r = CliRunner.Run(new[] { "train", "--fix-elr", "0.01", "--epochs", "1", "--train-size", "64", "--test-size", "32", "--out", outFolder, "--progress", "none", "--threads", "2" }.Concat(args).ToArray());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.False(Directory.Exists(outFolder));
    }
}
