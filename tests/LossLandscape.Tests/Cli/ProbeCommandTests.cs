using System.Text.Json;
using LossLandscape.Runs;

namespace LossLandscape.Tests.Cli;

/// <summary>Two small real training runs on Fashion-MNIST, shared by the probe command tests.</summary>
public sealed class TwoTrainedRuns : IDisposable
{
    public TwoTrainedRuns()
    {
        Root = CliRunner.TempFolder("probes");
        foreach (var (folder, seed) in new[] { (A, 1), (B, 2) })
        {
            var r = CliRunner.Run("train", "--out", folder, "--seed", seed.ToString(), "--epochs", "3", "--width", "32", "--train-size", "2000",
                "--test-size", "500", "--lr", "0.05", "--no-download", "--progress", "none", "--threads", "2");
            if (r.ExitCode != 0) throw new InvalidOperationException(r.Stderr);
        }
    }

    public string Root { get; }
    public string A => Path.Combine(Root, "a");
    public string B => Path.Combine(Root, "b");

    public void Dispose() => Directory.Delete(Root, true);
}

public class ProbeCommandTests : IClassFixture<TwoTrainedRuns>
{
    readonly TwoTrainedRuns runs;
    public ProbeCommandTests(TwoTrainedRuns runs) => this.runs = runs;


    [Fact]
    public void OneDimensionalSliceStartsAtTheModelsOwnLoss()
    {
        var outFolder = Path.Combine(runs.Root, "slice1d");
        CliRunner.RunOk("slice", runs.A, "--dims", "1", "--grid", "-1:1:5", "--out", outFolder);
        var curve = GridFile.ReadCurve(Path.Combine(outFolder, "slice.csv"));
        Assert.Equal(new[] { "alpha", "loss", "accuracy" }, new[] { curve.Axis.Name }.Concat(curve.Values.Select(v => v.Name)));
        Assert.Equal(5, curve.Axis.Values.Count);
        double atZero = curve["loss"].Values[2];
        double reported = MetricsFile.Read(Path.Combine(runs.A, MetricsFile.FileName))[^1].TestLoss;
        Assert.Equal(reported, atZero, 4);
        Assert.True(curve["loss"].Values[0] > atZero && curve["loss"].Values[4] > atZero);
        Assert.False(File.Exists(Path.Combine(outFolder, "slice.progress.csv")));
        foreach (var f in new[] { "slice.png", "slice.svg", "slice.loss.npy", "directions.safetensors", "run.json" })
            Assert.True(File.Exists(Path.Combine(outFolder, f)), f);
    }

    [Fact]
    public void KilledSurfaceResumesAtTheFirstMissingPoint()
    {
        var outFolder = Path.Combine(runs.Root, "pca");
        var args = new[] { "slice", runs.A, "--dims", "2", "--directions", "pca", "--grid", "-2:2:7", "--grid2", "-1:1:5", "--out", outFolder };
        CliRunner.RunOk(args);
        var csv = Path.Combine(outFolder, "surface.csv");
        var complete = File.ReadAllLines(csv);
        Assert.Equal(1 + 35, complete.Length);
        Assert.True(File.Exists(Path.Combine(outFolder, "surface.png")));
        // As if killed: the progress file holds 23 points and a half-written line; the final files are not there yet.
        File.WriteAllText(Path.Combine(outFolder, "surface.progress.csv"), string.Join('\n', complete.Take(1 + 23)) + "\n" + complete[24][..5]);
        File.Delete(csv);
        var again = CliRunner.RunOk(args);
        Assert.Contains("(23 resumed)", again.Stdout);
        Assert.Equal(complete, File.ReadAllLines(csv));
    }

    [Fact]
    public void HessianReportsEigenvaluesTraceAndTheCostOfBothMethods()
    {
        var outFolder = Path.Combine(runs.Root, "hessian");
        CliRunner.RunOk("hessian", runs.A, "--top-k", "2", "--method", "both", "--samples", "500", "--density-iterations", "20", "--out", outFolder);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "hessian.json")));
        var lanczos = report.RootElement.GetProperty("lanczos").GetProperty("eigenvalues").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var power = report.RootElement.GetProperty("power").GetProperty("eigenvalues").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(2, lanczos.Length);
        Assert.True(lanczos[0] >= lanczos[1] && lanczos[1] > 0);
        Assert.Equal(lanczos[0], power[0], 0);
        Assert.True(report.RootElement.GetProperty("trace").GetDouble() > lanczos[0]);
        Assert.True(report.RootElement.GetProperty("convergence_top_k").GetProperty("lanczos_products").GetInt32() > 0);
        Assert.True(File.Exists(Path.Combine(outFolder, "density.png")));
    }

    [Fact]
    public void SharpnessWritesEveryMeasureAsked()
    {
        var outFolder = Path.Combine(runs.Root, "sharpness");
        CliRunner.RunOk("sharpness", runs.A, "--measures", "epsilon", "width", "--directions", "2", "--samples", "300", "--out", outFolder);
        var lines = File.ReadAllLines(Path.Combine(outFolder, "sharpness.csv"));
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("epsilon-sharpness,", lines[1]);
        Assert.StartsWith("directional-width,", lines[2]);
    }

    [Fact]
    public void InterpolationBetweenTwoSeedsHasABarrier()
    {
        var outFolder = Path.Combine(runs.Root, "interpolate");
        var r = CliRunner.RunOk("interpolate", runs.A, runs.B, "--grid", "0:1:5", "--out", outFolder);
        Assert.Contains("barrier", r.Stdout);
        var curve = GridFile.ReadCurve(Path.Combine(outFolder, "path.csv"));
        Assert.Equal(5, curve.Axis.Values.Count);
        Assert.True(curve["train_loss"].Values[2] > Math.Max(curve["train_loss"].Values[0], curve["train_loss"].Values[4]));
    }

    [Fact]
    public void ProbeOfAMissingRunIsAUserError()
    {
        var r = CliRunner.Run("hessian", "/nonexistent/run", "--progress", "none");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/nonexistent/run", r.Stderr);
    }
}
