using System.Diagnostics;
using LossLandscape.Runs;
using static TorchSharp.torch;

namespace LossLandscape.Bench;

/// <summary>Machine, threads, commit, and the measuring helpers every suite shares.</summary>
public static class BenchEnvironment
{
    public static string Describe()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        return $"machine: {cpu}, {Environment.ProcessorCount} cores; libtorch threads: {get_num_threads()}; " +
               $"commit: {ProvenanceInfo.GitCommit}; libtorch {__version__}; .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd}";
    }

    /// <summary>Median wall time in seconds of <paramref name="repeats"/> runs after one warm-up (by default a run of the work itself).</summary>
    public static double Median(int repeats, Action work, Action? warmUp = null)
    {
        (warmUp ?? work)();
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            work();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>fp32 matrix-product rate (GFLOP/s) for [m,k] x [k,n], the ceiling the training numbers are compared with.</summary>
    public static double MatmulGflops(int m, int k, int n, int repeats)
    {
        using var a = randn(m, k);
        using var b = randn(k, n);
        int inner = Math.Max(1, (int)(2e9 / (2.0 * m * k * n)));
        double seconds = Median(repeats, () =>
        {
            for (int i = 0; i < inner; i++) a.matmul(b).Dispose();
        });
        return 2.0 * m * k * n * inner / seconds / 1e9;
    }
}
