using System.Text.RegularExpressions;

namespace LossLandscape.Reporting.Documents;

/// <summary>
/// Opens a report in headless Chromium the way a reader would and reports what went wrong: images that did not
/// decode, console messages and uncaught exceptions, and (optionally) a screenshot to look at.
/// </summary>
/// <remarks>
/// Two runs: <c>--dump-dom</c> gives the DOM after the load event, where the report's script has written
/// <c>data-images</c> and <c>data-images-loaded</c> on &lt;body&gt;, and its stderr gives the console; a second
/// run with <c>--screenshot</c> renders the page at the requested window size. Chromium 156 prints console
/// messages without their level, so every message counts as an error: a report's only script logs nothing.
/// </remarks>
public static class BrowserCheck
{
    /// <summary>Names a Chromium (or Chrome) executable to use instead of the one found on the machine.</summary>
    public const string EnvironmentVariable = "LOSSLANDSCAPE_CHROMIUM";

    public const string InstallHint = "apt-get install chromium";

    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The Chromium to run: <see cref="EnvironmentVariable"/> when set (null if it names no file),
    /// else <c>/usr/bin/chromium</c>, else <c>chromium</c> or <c>chromium-browser</c> on PATH; null when none.
    /// </summary>
    public static string? FindChromium()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        if (File.Exists("/usr/bin/chromium")) return "/usr/bin/chromium";
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var name in new[] { "chromium", "chromium-browser" })
            foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(folder, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>
    /// Loads <paramref name="htmlPath"/> headless, counts its images and collects its console; with a
    /// <paramref name="screenshotPath"/>, also writes a PNG of the first <paramref name="width"/> x
    /// <paramref name="height"/> pixels there. Throws <see cref="LandscapeException"/> when Chromium is not
    /// installed, the page does not exist, or Chromium fails or hangs (60 s per run).
    /// </summary>
    public static BrowserCheckResult Check(string htmlPath, string? screenshotPath, int width = 1280, int height = 2400)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        var chromium = FindChromium() ?? throw new LandscapeException(NotFoundMessage());
        var page = Path.GetFullPath(htmlPath);
        if (!File.Exists(page)) throw new LandscapeException($"{htmlPath}: no such file to check in a browser");
        var url = new Uri(page).AbsoluteUri;

        var dump = ChromiumProcess.Run(chromium, ["--dump-dom"], url, Timeout);
        var body = BodyTag.Match(dump.Stdout);
        if (!body.Success)
            throw new LandscapeException($"{htmlPath}: Chromium returned no <body> for the page{FirstMessage(dump.Stderr)}");
        int? images = Attribute(body.Value, "data-images");
        int? loaded = Attribute(body.Value, "data-images-loaded");
        bool recorded = images is not null && loaded is not null;
        var result = new BrowserCheckResult(
            images ?? ImageTag.Matches(dump.Stdout).Count,
            loaded ?? 0,
            ChromiumConsole.Messages(dump.Stderr),
            null)
        {
            MissingFigures = Attribute(body.Value, "data-missing") ?? 0,
            CountsRecorded = recorded,
        };
        return screenshotPath is null ? result : result with { ScreenshotPath = Screenshot(chromium, url, screenshotPath, width, height) };
    }

    static string Screenshot(string chromium, string url, string screenshotPath, int width, int height)
    {
        var target = Path.GetFullPath(screenshotPath);
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        // Chromium writes the file itself; let it write beside the target and rename, so the file is whole or absent.
        var temp = Path.Combine(folder, $".{Path.GetFileNameWithoutExtension(target)}.{Environment.ProcessId}.tmp.png");
        try
        {
            ChromiumProcess.Run(chromium, ["--screenshot=" + temp, $"--window-size={width},{height}"], url, Timeout);
            if (!File.Exists(temp)) throw new LandscapeException($"Chromium wrote no screenshot of {url}");
            File.Move(temp, target, overwrite: true);
            return target;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    static string NotFoundMessage()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(configured)
            ? $"Chromium is needed to check the report in a browser but was not found (/usr/bin/chromium, chromium on PATH, or ${EnvironmentVariable}); install it with `{InstallHint}`"
            : $"${EnvironmentVariable} names {configured}, which does not exist; point it at a Chromium executable or install one with `{InstallHint}`";
    }

    static readonly Regex BodyTag = new(@"<body\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    static readonly Regex ImageTag = new(@"<img\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    static int? Attribute(string tag, string name)
    {
        var match = Regex.Match(tag, $@"\s{Regex.Escape(name)}=""(\d+)""", RegexOptions.CultureInvariant);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    static string FirstMessage(string stderr)
    {
        var console = ChromiumConsole.Messages(stderr);
        return console.Count > 0 ? $" (console: {console[0]})" : "";
    }
}
