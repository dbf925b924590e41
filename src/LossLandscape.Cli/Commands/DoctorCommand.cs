using System.CommandLine;
using LossLandscape.Data;
using LossLandscape.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Cli.Commands;

/// <summary>
/// `landscape doctor`: versions, which native libraries were loaded and from where, whether CUDA is usable (and why not),
/// device, threads, data; and a double-backward check on the chosen device.
/// </summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check the installation: versions, native libraries, device, threads, data.");
        command.SetAction(Run);
        return command;
    }

    static int Run(ParseResult parse)
    {
        bool ok = true;
        // Doctor diagnoses rather than refuses: a --device it cannot honour is reported below, and the checks run on the CPU.
        bool deviceProblem = false;
        Device device;
        try
        {
            device = GlobalOptions.Apply(parse);
        }
        catch (LandscapeException)
        {
            deviceProblem = true;
            device = TorchRuntime.Initialize(parse.GetValue(GlobalOptions.Threads), "cpu");
            ok = false;
        }

        Line("tool", $"landscape {ProvenanceInfo.ToolVersion} (commit {ProvenanceInfo.GitCommit})");
        foreach (var (k, v) in ProvenanceInfo.Libraries()) Line(k, v);
        Line("double grad", CheckDoubleBackward(device) ? $"ok on {device} (Hessian-vector product of a cubic is exact)" : "FAILED");
        var cuda = CudaDiagnosis.Probe();
        var native = cuda.Native;
        Line("native", native.TorchSharpLibrary ?? "libLibTorchSharp.so not found among loaded libraries");
        Line("libtorch", native.LibTorch is null ? "not found among loaded libraries"
            : native.LibTorch + (native.PyTorchRelease is { } release ? $" ({release})" : ""));
        if (native.LibTorchFolders.Count > 1)
        {
            Line("libtorch mix", $"WARNING: libtorch libraries came from {native.LibTorchFolders.Count} folders ({string.Join(", ", native.LibTorchFolders)}); " +
                                 "two builds in one process misbehave: remove the app's own libtorch*.so / libc10*.so copies when using another libtorch");
            ok = false;
        }
        Line("libtorch_cuda", native.LibTorchCuda
                              ?? (native.FolderHasCudaLibrary ? $"in {native.LibTorchFolder} but not loaded" : $"none in {native.LibTorchFolder ?? "(unknown folder)"}: a CPU-only libtorch"));
        Line("glibcxx", native.HostHasGlibcxx3432
            ? "host libstdc++ has GLIBCXX_3.4.32: the stock libLibTorchSharp.so is used"
            : native.TorchSharpPatched == true
                ? "host libstdc++ lacks GLIBCXX_3.4.32: the build marked that need weak in its copy (package cache untouched)"
                : "host libstdc++ lacks GLIBCXX_3.4.32 and the loaded copy is not patched");
        foreach (var variable in new[] { "LD_LIBRARY_PATH", "TORCH_LIB", "CUDA_VISIBLE_DEVICES" })
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value) Line(variable, value);
        Line("device", !deviceProblem ? device.ToString() : $"{device} (--device {parse.GetValue(GlobalOptions.Device)} refused: see the cuda line)");
        Line("cuda", cuda.Summary);
        Line("gpu devices", (cuda.NvidiaDeviceFiles.Count > 0 ? string.Join(" ", cuda.NvidiaDeviceFiles) : "none (no /dev/nvidia* device files)")
                            + (cuda.GpuModels.Count > 0 ? $"; {string.Join(", ", cuda.GpuModels)}" : ""));
        Line("gpu driver", (cuda.DriverLibraryFound ? $"{CudaDiagnosis.DriverLibrary} found" : $"{CudaDiagnosis.DriverLibrary} not found by the dynamic loader")
                           + (cuda.DriverVersion is { } version ? $"; {version}" : ""));
        Line("threads", $"{get_num_threads()} of {Environment.ProcessorCount} cores");
        try
        {
            var description = DataCatalog.Describe("fashion-mnist");
            Line("data", $"fashion-mnist in {description.Folder} (via {description.FoundVia}), hashes {(description.HashesVerified ? "verified" : "NOT verified")}");
            ok &= description.HashesVerified;
        }
        catch (LandscapeException e)
        {
            Line("data", e.Message);
            ok = false;
        }
        return ok ? ExitCodes.Success : ExitCodes.BadInput;
    }

    /// <summary>One `key  value` line; keys too long for the column still get two spaces.</summary>
    static void Line(string key, string value) => Console.WriteLine(key.PadRight(Math.Max(KeyWidth, key.Length + 2)) + value);

    const int KeyWidth = 14;

    static bool CheckDoubleBackward(Device device)
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, -2.0, 0.5 }, device: device, requires_grad: true);
        var v = tensor(new[] { 1.0, 1.0, 2.0 }, device: device);
        var g = autograd.grad(new[] { x.pow(3).sum() }, new[] { x }, retain_graph: true, create_graph: true)[0];
        var hv = autograd.grad(new[] { (g * v).sum() }, new[] { x }, retain_graph: true, create_graph: true)[0];
        return hv.cpu().data<double>().ToArray().SequenceEqual(new[] { 6.0, -12.0, 6.0 });
    }
}
