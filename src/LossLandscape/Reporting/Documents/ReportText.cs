using System.Globalization;
using System.Text;

namespace LossLandscape.Reporting.Documents;

/// <summary>The wording both writers share, so that report.html and report.md say the same things.</summary>
static class ReportText
{
    public const string VerdictsHeading = "How verdicts are decided";

    public const string VerdictsIntro =
        "Each claim of the talk is checked against the measurements of its section and gets one of three verdicts, always written out:";

    public static readonly (string Verdict, string Meaning)[] VerdictMeanings =
    [
        (ClaimVerdict.Reproduced, "the measurements show the effect the talk describes;"),
        (ClaimVerdict.Partly, "they show part of it: in some settings only, or weaker than stated;"),
        (ClaimVerdict.NotReproduced, "they do not show it."),
    ];

    public const string VerdictsOutro =
        "The evidence column gives the numbers each verdict rests on. A section whose experiment failed or was not run says so in the section column.";

    public static string StatusWord(SectionStatus status) => status switch
    {
        SectionStatus.Completed => "completed",
        SectionStatus.Failed => "failed",
        SectionStatus.NotRun => "not run",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>A run time as a reader wants it: "0.42 s", "12.3 s", "4 min 05 s", "2 h 07 min".</summary>
    public static string Duration(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0) return "unknown";
        var c = CultureInfo.InvariantCulture;
        if (seconds < 10) return seconds.ToString("0.##", c) + " s";
        if (seconds < 60) return seconds.ToString("0.0", c) + " s";
        long whole = (long)Math.Round(seconds);
        if (whole < 3600) return string.Create(c, $"{whole / 60} min {whole % 60:00} s");
        return string.Create(c, $"{whole / 3600} h {whole % 3600 / 60:00} min");
    }

    /// <summary>The sentence that counts verdicts and failed sections, e.g. "7 claims: 4 reproduced, 2 partly, 1 not reproduced."</summary>
    public static string Tally(ReportDocument doc)
    {
        var claims = doc.Sections.SelectMany(s => s.Claims).ToList();
        var text = new StringBuilder();
        text.Append(claims.Count == 1 ? "1 claim" : $"{claims.Count} claims");
        var byVerdict = claims.GroupBy(c => c.Verdict.Trim().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count());
        var known = new[] { ClaimVerdict.Reproduced, ClaimVerdict.Partly, ClaimVerdict.NotReproduced };
        var parts = known.Select(v => $"{byVerdict.GetValueOrDefault(v)} {v}").ToList();
        int other = claims.Count - known.Sum(v => byVerdict.GetValueOrDefault(v));
        if (other > 0) parts.Add($"{other} other");
        if (claims.Count > 0) text.Append(": ").Append(string.Join(", ", parts));
        text.Append(" in ").Append(doc.Sections.Count == 1 ? "1 section" : $"{doc.Sections.Count} sections").Append('.');
        int failed = doc.Sections.Count(s => s.Status == SectionStatus.Failed);
        int notRun = doc.Sections.Count(s => s.Status == SectionStatus.NotRun);
        if (failed > 0) text.Append(failed == 1 ? " 1 section failed." : $" {failed} sections failed.");
        if (notRun > 0) text.Append(notRun == 1 ? " 1 section was not run." : $" {notRun} sections were not run.");
        return text.ToString();
    }

    /// <summary>Paragraphs of <paramref name="text"/>: runs of lines separated by blank lines, each run joined by spaces.</summary>
    public static IReadOnlyList<string> Paragraphs(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var paragraphs = new List<string>();
        var current = new List<string>();
        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                if (current.Count > 0) paragraphs.Add(string.Join(' ', current));
                current.Clear();
            }
            else current.Add(line);
        }
        if (current.Count > 0) paragraphs.Add(string.Join(' ', current));
        return paragraphs;
    }

    /// <summary>
    /// One anchor per section, in order: the Id with characters other than letters, digits, '-' and '_'
    /// replaced by '-', lower-cased; empty Ids become "section-N" and repeats get "-2", "-3".
    /// </summary>
    public static IReadOnlyList<string> Anchors(IReadOnlyList<ReportSection> sections)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var anchors = new List<string>(sections.Count);
        for (int i = 0; i < sections.Count; i++)
        {
            var slug = new string((sections[i].Id ?? "").Trim().ToLowerInvariant()
                .Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' ? ch : '-').ToArray()).Trim('-');
            if (slug.Length == 0) slug = $"section-{i + 1}";
            var anchor = slug;
            for (int n = 2; !used.Add(anchor); n++) anchor = $"{slug}-{n}";
            anchors.Add(anchor);
        }
        return anchors;
    }

    /// <summary>Whether a table cell reads as a number (right-aligned with tabular digits in HTML).</summary>
    public static bool IsNumeric(string cell)
    {
        var s = cell.Trim().TrimEnd('%').Trim();
        if (s.Length == 0 || !s.Any(char.IsAsciiDigit)) return false;
        return double.TryParse(s.Replace("\u2212", "-"), NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _);
    }

    /// <summary>Whether every non-empty cell of a table column reads as a number.</summary>
    public static bool IsNumericColumn(ReportTable table, int column)
    {
        var cells = table.Rows.Where(r => column < r.Count && r[column].Trim().Length > 0).Select(r => r[column]).ToList();
        return cells.Count > 0 && cells.All(IsNumeric);
    }
}
