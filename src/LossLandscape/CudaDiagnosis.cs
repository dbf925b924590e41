using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace LossLandscape;

/// <summary>
/// Whether CUDA is usable in this process and, when it is not, why. The causes are told apart in the order a user
/// would fix them: TorchSharp could not initialise its CUDA backend at all; libtorch libraries from two folders are mixed
/// in the process; the loaded libtorch is a CPU-only build (its folder has no libtorch_cuda.so, as in the libtorch-cpu
/// NuGet package); libtorch_cuda.so is there but does not load (a CUDA runtime library it needs is missing); no GPU is
/// visible (no /dev/nvidia* device files); the driver library libcuda.so.1 cannot be found; or everything is present
/// and libtorch still says no.
/// </summary>
public sealed record CudaDiagnosis(
    bool Available,
    int DeviceCount,
    string? Reason,
    NativeRuntimeInfo Native,
    IReadOnlyList<string> NvidiaDeviceFiles,
    bool DriverLibraryFound,
    string? DriverVersion,
    IReadOnlyList<string> GpuModels)
{
    public const string DriverLibrary = "libcuda.so.1";

    /// <summary>"available, N device(s)" or "not available: reason".</summary>
    public string Summary => Available ? $"available, {DeviceCount} device(s)" : $"not available: {Reason}";

    /// <summary>
    /// Initialises TorchSharp's CUDA backend (harmless on a CPU-only libtorch: it then reports false) and inspects the
    /// process and the machine. Safe to call more than once.
    /// </summary>
    public static CudaDiagnosis Probe()
    {
        bool available = false;
        int count = 0;
        string? initError = null;
        try
        {
            available = TryInitializeDeviceType(DeviceType.CUDA);
            if (available) count = cuda.device_count();
        }
        catch (Exception e)
        {
            initError = FirstLine(e.Message);
        }
        var native = NativeRuntimeInfo.Current();
        var devices = Directory.Exists("/dev")
            ? Directory.GetFiles("/dev", "nvidia*").Order(StringComparer.Ordinal).ToList()
            : new List<string>();
        bool driver = NativeLibrary.TryLoad(DriverLibrary, out var handle);
        if (driver) NativeLibrary.Free(handle);
        string? reason = available && count > 0 ? null : Explain(initError, native, devices, driver);
        return new CudaDiagnosis(available && count > 0, count, reason, native, devices, driver, ReadDriverVersion(), ReadGpuModels());
    }

    static string Explain(string? initError, NativeRuntimeInfo native, List<string> devices, bool driver)
    {
        if (initError is not null) return $"TorchSharp's CUDA initialisation threw: {initError}";
        if (native.LibTorchFolder is not { } folder) return "no libtorch found among the loaded libraries";
        if (native.LibTorchFolders.Count > 1)
            return $"libtorch libraries from {native.LibTorchFolders.Count} folders are mixed in this process ({string.Join(", ", native.LibTorchFolders)}): " +
                   "the app's own CPU copies shadow the CUDA libtorch; delete its libtorch*.so / libc10*.so (build/pack-gpu.sh does)";
        if (native.LibTorchCuda is null)
        {
            if (!native.FolderHasCudaLibrary)
                return $"the loaded libtorch is a CPU-only build: {folder} has no {NativeRuntimeInfo.CudaLibrary} " +
                       "(e.g. the libtorch-cpu NuGet package, or a CPU-only PyTorch); for a GPU, put the torch/lib folder of a PyTorch CUDA installation " +
                       "on LD_LIBRARY_PATH (see the README's GPU section)";
            return $"{Path.Combine(folder, NativeRuntimeInfo.CudaLibrary)} is there but does not load: {LoadError(Path.Combine(folder, NativeRuntimeInfo.CudaLibrary))}";
        }
        if (devices.Count == 0)
            return "a CUDA libtorch is loaded but no GPU is visible: no /dev/nvidia* device files (no GPU here, or a container started without one)";
        if (!driver)
            return $"a CUDA libtorch is loaded and {string.Join(", ", devices)} exist, but the NVIDIA driver library {DriverLibrary} " +
                   "cannot be found by the dynamic loader (driver not installed, or not on the library path)";
        var visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
        return "a CUDA libtorch, /dev/nvidia* and the driver are all present, yet libtorch reports no usable GPU " +
               "(a driver older than this libtorch's CUDA version?" +
               (visible is null ? ")" : $" CUDA_VISIBLE_DEVICES={visible})");
    }

    /// <summary>What the dynamic loader says about a library that TorchSharp failed to load.</summary>
    static string LoadError(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return "it loads when asked directly, so TorchSharp looked elsewhere (is this folder first on LD_LIBRARY_PATH?)";
        }
        catch (Exception e)
        {
            // .NET puts the dynamic loader's own message (e.g. "libcudart.so.13: cannot open shared object file") last.
            return e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? e.GetType().Name;
        }
    }

    /// <summary>The kernel module's version line ("NVRM version: ..."), when an NVIDIA driver is loaded.</summary>
    static string? ReadDriverVersion()
    {
        const string file = "/proc/driver/nvidia/version";
        if (!File.Exists(file)) return null;
        try
        {
            return File.ReadLines(file).FirstOrDefault()?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The GPUs' model names ("NVIDIA H200") as the driver lists them under /proc/driver/nvidia/gpus.</summary>
    static List<string> ReadGpuModels()
    {
        const string folder = "/proc/driver/nvidia/gpus";
        var models = new List<string>();
        if (!Directory.Exists(folder)) return models;
        try
        {
            foreach (var gpu in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
            {
                var file = Path.Combine(gpu, "information");
                if (!File.Exists(file)) continue;
                var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("Model:", StringComparison.Ordinal));
                if (line is not null) models.Add(line["Model:".Length..].Trim());
            }
        }
        catch (IOException)
        {
            // Listing is best effort: a driver that hides the folder leaves the list empty.
        }
        return models;
    }

    static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
