using System.Globalization;
using System.Text.Json;
using LossLandscape.Ensembles;

namespace LossLandscape.Tests.Cli;

/// <summary>Ensemble pools trained through the sweep runner on real Fashion-MNIST, and their power-law analysis.</summary>
public class EnsembleCommandTests
{
    [Fact]
    public void APoolTrainsThroughTheSweepRunnerAndItsAnalysisIsConsistent()
    {
        var root = CliRunner.TempFolder("pool");
        var pool = Path.Combine(root, "pool");
        var r = CliRunner.RunOk("ensemble", "train-pool", "--widths", "4", "8", "16", "--members", "6", "4", "4", "--epochs", "1", "--train-size", "600",
            "--out", pool, "--jobs", "2");
        Assert.Contains("pool-width-4: 6 tasks, 0 already done, 6 to run", r.Stdout);
        // Members share the test set and differ in weights.
        var opened = EnsemblePool.Open(pool);
        var logits = opened.Load(4);
        Assert.Equal((6, 10000, 10), (logits.Members, logits.Samples, logits.Classes));
        Assert.NotEqual(logits.Select(new[] { 0 }).Ensemble().Nll(), logits.Select(new[] { 1 }).Ensemble().Nll());
        Assert.True(opened.Parameters(16) > opened.Parameters(8));

        // A second train-pool with the same plan has nothing to do; another plan in the same folder is refused.
        var again = CliRunner.RunOk("ensemble", "train-pool", "--widths", "4", "8", "16", "--members", "6", "4", "4", "--epochs", "1", "--train-size", "600", "--out", pool);
        Assert.Contains("pool-width-16: 4 tasks, 4 already done, 0 to run", again.Stdout);
        var other = CliRunner.Run("ensemble", "train-pool", "--widths", "4", "8", "--members", "2", "--out", pool, "--progress", "none");
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("holds a different pool", other.Stderr);

        var analysis = Path.Combine(root, "analysis");
        CliRunner.RunOk("ensemble", "analyze", pool, "--out", analysis, "--max-subsets", "3");
        var rows = File.ReadAllLines(Path.Combine(analysis, "cnll.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(6 + 4 + 4, rows.Count);
        double Cell(string[] row, int i) => double.Parse(row[i], CultureInfo.InvariantCulture);
        foreach (var row in rows)
        {
            // Temperature fitted on held-out halves cannot make the NLL much worse than no temperature at all.
            Assert.InRange(Cell(row, 2), 0.1, Cell(row, 4) + 0.05);
            Assert.InRange(Cell(row, 5), 0.1, 1.0);
        }
        // The mean over all members' single-model CNLLs equals the n=1 row (every member is its own subset when few).
        var width4 = rows.Where(r => r[0] == "4").ToList();
        Assert.Equal("1", width4[0][1]);
        Assert.True(Cell(width4[^1], 2) < Cell(width4[0], 2), "an ensemble of 6 should beat its single members in CNLL");
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(analysis, "power-laws.json")));
        Assert.Equal(3, report.RootElement.GetProperty("study").GetProperty("laws").GetArrayLength());
        Assert.True(report.RootElement.GetProperty("verdicts").GetArrayLength() >= 1);
        foreach (var figure in new[] { "cnll-vs-size", "cnll-vs-budget", "nll-vs-width" })
            Assert.True(File.Exists(Path.Combine(analysis, "figures", figure + ".png")), figure);
        Directory.Delete(root, true);
    }

    [Fact]
    public void APoolForKubernetesGetsOneIndexedJobPerWidthAndTrainsNothingHere()
    {
        var pool = Path.Combine(CliRunner.TempFolder("pool-k8s"), "pool");
        var r = CliRunner.Run("ensemble", "train-pool", "--widths", "4", "8", "--members", "3", "--out", pool,
            "--runner", "kubernetes", "--image", "example.org/landscape:test", "--claim", "pools", "--progress", "none");
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        foreach (var width in new[] { 4, 8 })
        {
            var manifest = File.ReadAllText(Path.Combine(pool, $"width-{width}", "k8s", "job.yaml"));
            Assert.Contains("completionMode: Indexed", manifest);
            Assert.Contains("completions: 3", manifest);
        }
        Assert.Empty(EnsemblePool.Open(pool).Members(4));
        var experiment = CliRunner.Run("experiment", "power-laws", "--preset", "smoke", "--out", Path.Combine(pool, "..", "x"),
            "--runner", "kubernetes", "--image", "i", "--claim", "c", "--progress", "none");
        Assert.Equal(2, experiment.ExitCode);
        Assert.Contains("analyses the pool it trains", experiment.Stderr);
    }

    [Fact]
    public void PowerLawsSmokePresetRunsEndToEnd()
    {
        var outFolder = CliRunner.TempFolder("power-laws");
        var r = CliRunner.RunOk("experiment", "power-laws", "--preset", "smoke", "--out", outFolder, "--jobs", "2");
        Assert.Contains("larger budgets want more members", r.Stdout);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "power-laws.json")));
        var study = report.RootElement.GetProperty("study");
        Assert.Equal(3, study.GetProperty("laws").GetArrayLength());
        // The width-4 pool has 8 members: its n <= 4 law is checked against the measured n = 8.
        var predictions = study.GetProperty("laws")[0].GetProperty("predictions");
        Assert.Equal(8, predictions[0].GetProperty("size").GetInt32());
        Assert.True(study.GetProperty("budgets").GetArrayLength() >= 2);
        Assert.True(report.RootElement.GetProperty("training_seconds").GetDouble() > 0);
        Assert.True(File.Exists(Path.Combine(outFolder, "memory-split.csv")));
        Directory.Delete(outFolder, true);
    }
}
