using System.ComponentModel;
using System.Diagnostics;

namespace LossLandscape.Reporting.Documents;

/// <summary>
/// One run of headless Chromium with a fresh profile folder that is removed afterwards, its stdout and stderr
/// read to the end, and the whole process tree killed if it outlives the timeout.
/// </summary>
static class ChromiumProcess
{
    public sealed record Output(string Stdout, string Stderr);

    /// <summary>Flags of every run: headless, no sandbox (containers, root), no GPU, console on stderr, and a virtual-time budget so loading finishes first.</summary>
    static readonly string[] CommonFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
        "--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0",
    ];

    public static Output Run(string chromium, IEnumerable<string> flags, string url, TimeSpan timeout)
    {
        var profile = Directory.CreateTempSubdirectory("losslandscape-chromium-");
        try
        {
            var start = new ProcessStartInfo(chromium)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            foreach (var flag in CommonFlags) start.ArgumentList.Add(flag);
            start.ArgumentList.Add("--user-data-dir=" + profile.FullName);
            foreach (var flag in flags) start.ArgumentList.Add(flag);
            start.ArgumentList.Add(url);

            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (Win32Exception e)
            {
                throw new LandscapeException($"could not start {chromium}: {e.Message}; install Chromium with `apt-get install chromium`", e);
            }
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            bool exited = process.WaitForExit(timeout);
            // Helpers that outlive the browser can hold the pipes open; the deadline covers them too.
            bool drained = exited && Task.WaitAll([stdout, stderr], Remaining(timeout, clock));
            if (!exited || !drained)
            {
                KillTree(process);
                throw new LandscapeException(
                    $"{Path.GetFileName(chromium)} did not finish within {timeout.TotalSeconds:0} s on {url}{LastLine(stderr)}");
            }
            if (process.ExitCode != 0)
                throw new LandscapeException($"{Path.GetFileName(chromium)} exited with code {process.ExitCode} on {url}{LastLine(stderr)}");
            return new Output(stdout.Result, stderr.Result);
        }
        finally
        {
            DeleteProfile(profile);
        }
    }

    static TimeSpan Remaining(TimeSpan timeout, Stopwatch clock)
    {
        var left = timeout - clock.Elapsed;
        return left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
    }

    static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // It exited between the timeout and the kill: nothing left to stop.
        }
    }

    static string LastLine(Task<string> stderr)
    {
        if (!stderr.IsCompletedSuccessfully) return "";
        var last = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => !l.Contains(":dbus/", StringComparison.Ordinal));
        return last is null ? "" : $": {last}";
    }

    // The profile is scratch space: a helper still closing files in it may make one attempt fail, so retry
    // briefly, and leave a stray temp folder rather than fail a check that has already succeeded.
    static void DeleteProfile(DirectoryInfo profile)
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(profile.FullName)) Directory.Delete(profile.FullName, recursive: true);
                return;
            }
            catch (IOException) { Thread.Sleep(200); }
            catch (UnauthorizedAccessException) { Thread.Sleep(200); }
        }
    }
}
