using System.Text.RegularExpressions;

namespace LossLandscape.Reporting.Documents;

/// <summary>
/// Reads the page's console out of headless Chromium's stderr (with <c>--enable-logging=stderr</c>).
/// Chromium 156 writes every console message and every uncaught exception, whatever its level, as
/// <c>[pid:tid:MMDD/HHMMSS.micros:INFO:CONSOLE:LINE] "MESSAGE", source: URL (LINE)</c>; older builds wrote
/// <c>CONSOLE(LINE)</c>. A message with line breaks continues over several stderr lines.
/// </summary>
static class ChromiumConsole
{
    static readonly Regex Entry = new(
        @"^\[[^\]\r\n]*:CONSOLE(?::\d+|\(\d+\))\] ""(?<message>.*?)"", source: (?<source>[^\r\n]*?) \((?<line>\d+)\)\r?$",
        RegexOptions.Multiline | RegexOptions.Singleline | RegexOptions.CultureInvariant);

    /// <summary>Each console entry as "MESSAGE (SOURCE:LINE)", in order.</summary>
    public static IReadOnlyList<string> Messages(string stderr) =>
        Entry.Matches(stderr)
            .Select(m => $"{m.Groups["message"].Value} ({Shorten(m.Groups["source"].Value)}:{m.Groups["line"].Value})")
            .ToList();

    // A report's file URL is long and the same for every entry; its file name says enough.
    static string Shorten(string source)
    {
        if (source.Length == 0) return "page";
        int slash = source.LastIndexOf('/');
        return source.StartsWith("file:", StringComparison.Ordinal) && slash >= 0 ? source[(slash + 1)..] : source;
    }
}
