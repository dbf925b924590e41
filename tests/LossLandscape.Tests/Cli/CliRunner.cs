using System.Diagnostics;

namespace LossLandscape.Tests.Cli;

/// <summary>Runs the real `landscape` program as a child process, as a user would.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "landscape.dll");

    public static ProcessStartInfo StartInfo(params string[] args) => StartInfo(args, null, null);

    /// <summary>Starts landscape with extra environment variables and in a given working folder.</summary>
    public static ProcessStartInfo StartInfo(string[] args, IReadOnlyDictionary<string, string>? environment, string? workingDirectory)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["LOSSLANDSCAPE_FASHION_MNIST_URL"] = "http://127.0.0.1:9/"; // never reach the internet from tests
        return info;
    }

    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(5), args);

    public static Result Run(TimeSpan timeout, params string[] args) => Run(StartInfo(args), timeout);

    /// <summary>Runs with environment variables set (a null value removes the variable from the child's environment).</summary>
    public static Result Run(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = StartInfo(args);
        foreach (var (name, value) in environment)
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return Run(info, TimeSpan.FromMinutes(5));
    }

    public static Result Run(ProcessStartInfo info, TimeSpan timeout)
    {
        var args = info.ArgumentList.Skip(1).ToArray();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"landscape {string.Join(' ', args)} ran past {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a command quietly on 2 threads and asserts that it succeeded.</summary>
    public static Result RunOk(params string[] args)
    {
        var r = Run(args.Concat(new[] { "--progress", "none", "--threads", "2" }).ToArray());
        Assert.True(r.ExitCode == 0, $"landscape {string.Join(' ', args)}: {r.Stderr}{r.Stdout}");
        return r;
    }

    public static string TempFolder(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ll-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
