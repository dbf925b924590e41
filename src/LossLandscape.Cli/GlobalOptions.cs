using System.CommandLine;
using LossLandscape.Cli.Terminal;

namespace LossLandscape.Cli;

/// <summary>Options every command understands: threads, device, progress display.</summary>
public static class GlobalOptions
{
    public static readonly Option<int?> Threads = new("--threads")
    {
        Description = "CPU threads for libtorch (default: all cores)",
        Recursive = true,
    };

    public static readonly Option<string> Device = new("--device")
    {
        Description = "cpu or cuda (cuda needs a CUDA libtorch; see `landscape doctor`)",
        DefaultValueFactory = _ => "cpu",
        Recursive = true,
    };

    public static readonly Option<ProgressMode> Progress = new("--progress")
    {
        Description = "auto: a live bar on a terminal, plain lines when redirected; plain; none",
        DefaultValueFactory = _ => ProgressMode.Auto,
        Recursive = true,
    };

    public static void AddTo(Command root)
    {
        root.Add(Threads);
        root.Add(Device);
        root.Add(Progress);
    }

    /// <summary>Applies --threads and --device; returns the device to compute on.</summary>
    public static TorchSharp.torch.Device Apply(ParseResult parse) =>
        TorchRuntime.Initialize(parse.GetValue(Threads), parse.GetValue(Device) ?? "cpu");
}
