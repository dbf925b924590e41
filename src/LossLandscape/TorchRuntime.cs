using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape;

/// <summary>
/// Process-wide TorchSharp set-up: thread count and compute device. Call once, before the first tensor.
/// CUDA comes from a CUDA libtorch on the library path (TorchSharp's CUDA packages, or the libtorch inside a
/// PyTorch installation), so asking for it on a CPU-only build fails with a message that says why (<see cref="CudaDiagnosis"/>).
/// </summary>
public static class TorchRuntime
{
    public static Device Device { get; private set; } = CPU;
    public static int Threads { get; private set; }

    public static Device Initialize(int? threads = null, string device = "cpu")
    {
        if (threads is < 1) throw new LandscapeException($"--threads must be at least 1, got {threads}");
        var name = device.Trim().ToLowerInvariant();
        if (name.StartsWith("cuda", StringComparison.Ordinal))
        {
            Device = RequireCuda(name, $"--device {device}");
        }
        else if (name == "cpu")
        {
            Device = CPU;
        }
        else
        {
            throw new LandscapeException($"unknown device '{device}'; use cpu or cuda");
        }
        Threads = threads ?? Environment.ProcessorCount;
        set_num_threads(Threads);
        return Device;
    }

    /// <summary>
    /// Initialises TorchSharp's CUDA backend and returns the named CUDA device ("cuda" or "cuda:N"); throws a
    /// <see cref="LandscapeException"/> saying why when no GPU is usable (see <see cref="CudaDiagnosis"/>).
    /// Leaves the thread count and <see cref="Device"/> alone, so tests can ask for a GPU without reconfiguring the process.
    /// </summary>
    public static Device RequireCuda(string name = "cuda", string? context = null)
    {
        var probe = CudaDiagnosis.Probe();
        var what = context ?? name;
        if (!probe.Available) throw new LandscapeException($"{what}: CUDA is not usable: {probe.Reason}; run `landscape doctor`");
        Device result;
        try
        {
            result = new Device(name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new LandscapeException($"{what}: '{name}' is not a device name; use cuda or cuda:N");
        }
        if (result.index >= probe.DeviceCount)
            throw new LandscapeException($"{what}: there is no {name}; this machine has {probe.DeviceCount} GPU(s), cuda:0 to cuda:{probe.DeviceCount - 1}");
        return result;
    }

    /// <summary>Waits until the device has finished all queued work (a no-op on the CPU): for timing asynchronous GPU work.</summary>
    public static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }

    /// <summary>
    /// Runs libtorch on one CPU thread until disposed, then restores the thread count. For loops of many tiny kernels
    /// (2-D toys, small quadratics): there the worker threads of small matrix products only spin, and on 2 busy cores
    /// such a loop ran 18x slower with 2 threads than with 1.
    /// </summary>
    public static IDisposable SingleThreaded()
    {
        int before = get_num_threads();
        set_num_threads(1);
        return new Restore(() => set_num_threads(before));
    }

    sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
