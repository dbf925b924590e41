using System.Text;

namespace LossLandscape.Reporting.Documents;

/// <summary>HTML escaping: every string of a report goes through <see cref="Escape"/> on its way out.</summary>
static class Html
{
    /// <summary>Escapes text for element content and quoted attribute values alike.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (var ch in text)
        {
            switch (ch)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default: sb.Append(ch); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A verdict or status badge: the word always shows, the colour only adds to it.</summary>
    public static string Badge(string kind, string word) =>
        $"<span class=\"badge badge-{kind}\">{Escape(word)}</span>";

    public static string StatusBadge(SectionStatus status) => status switch
    {
        SectionStatus.Failed => Badge("failed", ReportText.StatusWord(status)),
        SectionStatus.NotRun => Badge("not-run", ReportText.StatusWord(status)),
        _ => Badge("completed", ReportText.StatusWord(status)),
    };

    public static string VerdictBadge(string verdict) => Badge(ClaimVerdict.BadgeKind(verdict), verdict.Trim());
}
