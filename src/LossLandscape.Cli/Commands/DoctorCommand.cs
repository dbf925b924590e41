using System.CommandLine;
using LossLandscape.Data;
using LossLandscape.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape doctor`: versions, which native libraries were loaded, device, threads, data; and a double-backward check.</summary>
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
        var device = GlobalOptions.Apply(parse);
        bool ok = true;
        void Line(string key, string value) => Console.WriteLine($"{key,-14}{value}");

        Line("tool", $"landscape {ProvenanceInfo.ToolVersion} (commit {ProvenanceInfo.GitCommit})");
        foreach (var (k, v) in ProvenanceInfo.Libraries()) Line(k, v);
        Line("double grad", CheckDoubleBackward(device) ? "ok (Hessian-vector product of a cubic is exact)" : "FAILED");
        var native = NativeRuntimeInfo.Current();
        Line("native", native.TorchSharpLibrary ?? "libLibTorchSharp.so not found among loaded libraries");
        Line("libtorch", native.LibTorch ?? "not found among loaded libraries");
        Line("glibcxx", native.HostHasGlibcxx3432
            ? "host libstdc++ has GLIBCXX_3.4.32: the stock libLibTorchSharp.so is used"
            : native.TorchSharpPatched == true
                ? "host libstdc++ lacks GLIBCXX_3.4.32: the build marked that need weak in its copy (package cache untouched)"
                : "host libstdc++ lacks GLIBCXX_3.4.32 and the loaded copy is not patched");
        Line("device", device.ToString());
        Line("cuda", CudaStatus());
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

    static bool CheckDoubleBackward(Device device)
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, -2.0, 0.5 }, device: device, requires_grad: true);
        var v = tensor(new[] { 1.0, 1.0, 2.0 }, device: device);
        var g = autograd.grad(new[] { x.pow(3).sum() }, new[] { x }, retain_graph: true, create_graph: true)[0];
        var hv = autograd.grad(new[] { (g * v).sum() }, new[] { x }, retain_graph: true, create_graph: true)[0];
        return hv.cpu().data<double>().ToArray().SequenceEqual(new[] { 6.0, -12.0, 6.0 });
    }

    static string CudaStatus()
    {
        try
        {
            return cuda.is_available() ? $"available, {cuda.device_count()} device(s)" : "not available (this libtorch is CPU-only, or no GPU is visible)";
        }
        catch (Exception e)
        {
            return $"not available ({e.Message.Split('\n')[0]})";
        }
    }
}
