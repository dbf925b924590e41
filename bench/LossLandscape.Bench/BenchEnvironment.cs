using System.Diagnostics;
using System.Globalization;
using LossLandscape.Data;
using LossLandscape.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Bench;

/// <summary>Machine, threads, commit, device, the data every suite measures on, and the measuring helpers they share.</summary>
public static class BenchEnvironment
{
    public static Device Device { get; private set; } = CPU;
    public static int Threads { get; private set; } = 1;
    /// <summary>Synthetic images instead of Fashion-MNIST (--synthetic): for timing on a machine without the dataset.</summary>
    public static bool Synthetic { get; private set; }

    public static void Initialize(BenchOptions options)
    {
        Device = TorchRuntime.Initialize(options.Threads, options.Device);
        Threads = options.Threads;
        Synthetic = options.Synthetic;
    }

    public static string Describe()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        var native = NativeRuntimeInfo.Current();
        string gpu = Device.type == DeviceType.CUDA && CudaDiagnosis.Probe() is { GpuModels.Count: > 0 } cuda ? $"; gpu: {string.Join(", ", cuda.GpuModels)}" : "";
        return $"machine: {cpu}, {Environment.ProcessorCount} cores{gpu}; device: {Device}; libtorch threads: {get_num_threads()}; " +
               $"commit: {ProvenanceInfo.GitCommit}; libtorch {native.PyTorchRelease ?? __version__} from {native.LibTorchFolder ?? "?"}; " +
               $".NET {Environment.Version}; data: {(Synthetic ? "synthetic" : "Fashion-MNIST")}; {DateTime.UtcNow:yyyy-MM-dd}";
    }

    /// <summary>
    /// Median wall time in seconds of <paramref name="repeats"/> runs after one warm-up (by default a run of the work itself).
    /// On a GPU the clock stops only when the device has finished, so queued kernels are counted.
    /// </summary>
    public static double Median(int repeats, Action work, Action? warmUp = null)
    {
        (warmUp ?? work)();
        TorchRuntime.Synchronize(Device);
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            work();
            TorchRuntime.Synchronize(Device);
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>fp32 matrix-product rate (GFLOP/s) for [m,k] x [k,n] on the device, the ceiling the other numbers are compared with.</summary>
    public static double MatmulGflops(int m, int k, int n, int repeats)
    {
        using var a = randn(m, k, device: Device);
        using var b = randn(k, n, device: Device);
        // About 2 GFLOP per run on the CPU; a GPU gets through far more in the same time, so give it more to do.
        double target = Device.type == DeviceType.CUDA ? 200e9 : 2e9;
        int inner = Math.Max(1, (int)(target / (2.0 * m * k * n)));
        double seconds = Median(repeats, () =>
        {
            for (int i = 0; i < inner; i++) a.matmul(b).Dispose();
        });
        return 2.0 * m * k * n * inner / seconds / 1e9;
    }

    /// <summary>
    /// Training and test images on the device: Fashion-MNIST (subsets of the given sizes, standardised), or with
    /// --synthetic standard normal images of the same shape [N, 1, 28, 28] and uniform labels from 10 classes.
    /// </summary>
    public static DataSplit Data(int? trainCount, int? testCount)
    {
        if (!Synthetic) return new DataSettings(TrainSize: trainCount, TestSize: testCount, AllowDownload: false).Load(0, Device);
        using var generator = new Generator(0UL, CPU);
        Dataset Draw(int count, string part)
        {
            using var inputs = randn(new long[] { count, 1, 28, 28 }, generator: generator);
            using var labels = randint(0, 10, new long[] { count }, dtype: ScalarType.Int64, generator: generator);
            return new Dataset($"synthetic/{part}", inputs.to(Device), labels.to(Device), 10);
        }
        var train = Draw(trainCount ?? 60000, "train");
        return new DataSplit(train, Draw(testCount ?? 10000, "test"));
    }

    /// <summary>
    /// One tab-separated line per measured workload: result, workload, device, threads, milliseconds per unit, unit.
    /// bench/python/ prints the same lines for PyTorch, and bench/compare-pytorch.sh pairs them up.
    /// </summary>
    public static void Result(string workload, double millisecondsPerUnit, string unit) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result\t{workload}\t{(Device.type == DeviceType.CUDA ? "cuda" : "cpu")}\t{Threads}\t{millisecondsPerUnit:F4}\t{unit}"));
}
