using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape;

/// <summary>
/// Process-wide TorchSharp set-up: thread count and compute device. Call once, before the first tensor.
/// CUDA comes from a CUDA libtorch on the library path (TorchSharp's CUDA packages, or the libtorch inside a
/// PyTorch installation), so asking for it on a CPU-only build fails with a clear message.
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
            try
            {
                InitializeDeviceType(DeviceType.CUDA);
            }
            catch (Exception e) when (e is not LandscapeException)
            {
                throw new LandscapeException($"--device {device}: no CUDA libtorch could be loaded ({FirstLine(e.Message)}); run `landscape doctor`");
            }
            if (!cuda.is_available())
                throw new LandscapeException($"--device {device}: CUDA libtorch loaded but no GPU is usable; run `landscape doctor`");
            Device = new Device(name);
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

    static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
