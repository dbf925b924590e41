using System.Reflection;

namespace LossLandscape.Runs;

/// <summary>Where a result came from: this tool's version and commit, and the versions of the libraries it ran on.</summary>
public static class ProvenanceInfo
{
    static string Informational =>
        typeof(ProvenanceInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static string ToolVersion => Informational.Split('+')[0];

    /// <summary>The commit the tool was built from (stamped at build time), or "unknown".</summary>
    public static string GitCommit => Informational.Contains('+') ? Informational.Split('+')[1] : "unknown";

    public static Dictionary<string, string> Libraries() => new()
    {
        ["dotnet"] = Environment.Version.ToString(),
        ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        ["libtorch"] = TorchSharp.torch.__version__,
        // What TorchSharp was built against can differ from what computes: e.g. a PyTorch installation's libtorch on a GPU.
        ["libtorch_loaded"] = NativeRuntimeInfo.DescribeLoadedLibTorch() ?? "not loaded yet",
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
    };
}
