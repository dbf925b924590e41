namespace LossLandscape.Cli.Terminal;

public enum ProgressMode { Auto, Plain, None }

public static class ProgressModes
{
    /// <summary>Auto becomes Live on a terminal and Plain when output is redirected.</summary>
    public static bool IsLive(ProgressMode mode) => mode == ProgressMode.Auto && !Console.IsOutputRedirected;
}
