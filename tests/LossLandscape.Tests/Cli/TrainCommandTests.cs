using System.Diagnostics;
using LossLandscape.Runs;

namespace LossLandscape.Tests.Cli;

/// <summary>End-to-end training on real Fashion-MNIST subsets through the CLI.</summary>
public class TrainCommandTests
{
    static readonly Dictionary<string, string> Small = new()
    {
        ["--model"] = "mlp", ["--width"] = "64", ["--train-size"] = "3000", ["--test-size"] = "1000", ["--batch-size"] = "100",
        ["--lr"] = "0.05", ["--momentum"] = "0.9", ["--threads"] = "2", ["--progress"] = "plain",
    };

    /// <summary>A small real run; <paramref name="overrides"/> are option/value pairs that replace the defaults above.</summary>
    static string[] Args(string outFolder, int seed, int epochs, params string[] overrides)
    {
        var options = new Dictionary<string, string>(Small) { ["--out"] = outFolder, ["--seed"] = seed.ToString(), ["--epochs"] = epochs.ToString() };
        for (int i = 0; i < overrides.Length; i += 2) options[overrides[i]] = overrides[i + 1];
        return new[] { "train", "--no-download" }.Concat(options.SelectMany(kv => new[] { kv.Key, kv.Value })).ToArray();
    }

    static List<string> Deterministic(string runFolder)
    {
        var rows = MetricsFile.Read(Path.Combine(runFolder, MetricsFile.FileName));
        return rows.Select(r => string.Join(",", r.Values().Where(kv => !MetricsRow.WallClockColumns.Contains(kv.Key)).Select(kv => MetricsRow.Format(kv.Value)))).ToList();
    }

    [Fact]
    public void SameSeedGivesIdenticalMetricsAndDifferentSeedsDiffer()
    {
        var root = CliRunner.TempFolder("det");
        string a = Path.Combine(root, "a"), b = Path.Combine(root, "b"), c = Path.Combine(root, "c");
        foreach (var (folder, seed) in new[] { (a, 1), (b, 1), (c, 2) })
        {
            var r = CliRunner.Run(Args(folder, seed, 2));
            Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        }
        Assert.Equal(2, Deterministic(a).Count);
        Assert.Equal(Deterministic(a), Deterministic(b));
        Assert.NotEqual(Deterministic(a), Deterministic(c));
        var manifest = RunDirectory.Open(a).ReadManifest();
        Assert.Equal(RunStatus.Completed, manifest.Status);
        Assert.Equal(2, manifest.Threads);
        Assert.True(File.Exists(Path.Combine(a, "checkpoints", "final.safetensors")));
        Assert.True(File.Exists(Path.Combine(a, "checkpoints", "step-00000000.safetensors")));
        Directory.Delete(root, true);
    }

    [Fact]
    public void KilledMidEpochAndResumedEndsLikeAnUninterruptedRun()
    {
        var root = CliRunner.TempFolder("resume");
        string whole = Path.Combine(root, "whole"), killed = Path.Combine(root, "killed");
        const int epochs = 3;
        var reference = CliRunner.Run(Args(whole, 3, epochs, "--train-size", "60000"));
        Assert.True(reference.ExitCode == 0, reference.Stderr);

        // Start the same run, kill it with SIGKILL while epoch 2 is under way, then resume it.
        using (var process = Process.Start(CliRunner.StartInfo(Args(killed, 3, epochs, "--train-size", "60000")))!)
        {
            var metrics = Path.Combine(killed, MetricsFile.FileName);
            var clock = Stopwatch.StartNew();
            while (!(File.Exists(metrics) && MetricsFile.Read(metrics).Count >= 1) && clock.Elapsed < TimeSpan.FromMinutes(3) && !process.HasExited)
                Thread.Sleep(20);
            Thread.Sleep(100);
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(); // SIGKILL
            process.WaitForExit();
        }
        var rowsAtKill = MetricsFile.Read(Path.Combine(killed, MetricsFile.FileName)).Count;
        Assert.InRange(rowsAtKill, 1, epochs - 1);
        Assert.Equal(RunStatus.Running, RunDirectory.Open(killed).ReadManifest().Status);

        var resumed = CliRunner.Run("train", "--resume", killed, "--threads", "2", "--progress", "plain");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("resuming", resumed.Stdout);
        Assert.Equal(Deterministic(whole), Deterministic(killed));
        Assert.Equal(RunStatus.Completed, RunDirectory.Open(killed).ReadManifest().Status);
        Directory.Delete(root, true);
    }

    [Fact]
    public void ADivergingRunStopsAndSaysSo()
    {
        var root = CliRunner.TempFolder("diverge");
        var r = CliRunner.Run(Args(root, 0, 3, "--lr", "1e30"));
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("diverged", r.Stderr);
        var manifest = RunDirectory.Open(root).ReadManifest();
        Assert.Equal(RunStatus.Diverged, manifest.Status);
        Assert.Contains("step", manifest.StatusDetail);
        Assert.True(File.Exists(Path.Combine(root, "checkpoints", "step-00000000.safetensors")));
        Directory.Delete(root, true);
    }
}
