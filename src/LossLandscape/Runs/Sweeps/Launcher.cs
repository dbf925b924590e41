using System.Diagnostics;
using System.Reflection;

namespace LossLandscape.Runs.Sweeps;

/// <summary>How to start the landscape program again: the running executable, plus the app's dll when the host is `dotnet`.</summary>
public sealed record Launcher(string Executable, IReadOnlyList<string> Prefix)
{
    public static Launcher ForCurrentProcess()
    {
        var executable = Environment.ProcessPath ?? throw new LandscapeException("cannot tell which program is running (no process path)");
        var prefix = Path.GetFileNameWithoutExtension(executable) == "dotnet" && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } dll
            ? new[] { dll }
            : Array.Empty<string>();
        return new Launcher(executable, prefix);
    }

    public ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in Prefix.Concat(args)) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>The command line for a shell script, every word single-quoted.</summary>
    public string ShellCommand(IEnumerable<string> args) =>
        string.Join(' ', Prefix.Prepend(Executable).Concat(args).Select(ShellQuote));

    public static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '=' or ':' or ',' or '+')
            ? word
            : "'" + word.Replace("'", "'\\''") + "'";
}
