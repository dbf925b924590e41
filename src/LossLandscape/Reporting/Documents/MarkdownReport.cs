using System.Text;
using LossLandscape.Runs;

namespace LossLandscape.Reporting.Documents;

/// <summary>
/// Writes a <see cref="ReportDocument"/> as GitHub Markdown with the same content as <see cref="HtmlReport"/>:
/// figures are linked (not embedded) by paths relative to the report's folder, tables are pipe tables.
/// </summary>
public static class MarkdownReport
{
    /// <summary>Renders <paramref name="doc"/> and writes it atomically to <paramref name="path"/>; figure links are relative to its folder.</summary>
    public static void Write(ReportDocument doc, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        AtomicFile.WriteAllText(path, Render(doc, folder));
    }

    /// <summary>The Markdown text of <paramref name="doc"/> for a file in <paramref name="baseFolder"/>.</summary>
    public static string Render(ReportDocument doc, string baseFolder)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var anchors = ReportText.Anchors(doc.Sections);
        var md = new StringBuilder();
        md.Append("# ").Append(Markdown.Escape(doc.Title)).Append("\n\n");
        foreach (var fact in doc.About)
            md.Append("- **").Append(Markdown.Escape(fact.Name)).Append(":** ").Append(Markdown.Escape(fact.Value)).Append('\n');
        if (doc.About.Count > 0) md.Append('\n');
        foreach (var paragraph in ReportText.Paragraphs(doc.Summary)) md.Append(Markdown.Escape(paragraph)).Append("\n\n");

        md.Append("<a id=\"summary\"></a>\n\n## Claims at a glance\n\n").Append(Markdown.Escape(ReportText.Tally(doc))).Append("\n\n")
            .Append("### ").Append(ReportText.VerdictsHeading).Append("\n\n").Append(Markdown.Escape(ReportText.VerdictsIntro)).Append("\n\n");
        foreach (var (verdict, meaning) in ReportText.VerdictMeanings)
            md.Append("- **").Append(verdict).Append("**: ").Append(Markdown.Escape(meaning)).Append('\n');
        md.Append('\n').Append(Markdown.Escape(ReportText.VerdictsOutro)).Append("\n\n");
        WriteSummaryTable(md, doc, anchors);

        var counters = new MarkdownCounters();
        for (int i = 0; i < doc.Sections.Count; i++)
            WriteSection(md, doc.Sections[i], i + 1, anchors[i], baseFolder, counters);
        return md.ToString();
    }

    sealed class MarkdownCounters
    {
        public int Figures;
        public int Tables;
    }

    static void WriteSummaryTable(StringBuilder md, ReportDocument doc, IReadOnlyList<string> anchors)
    {
        md.Append(Markdown.Row(["Section", "Claim", "Verdict", "Evidence"])).Append('\n')
            .Append(Markdown.Row(["---", "---", "---", "---"])).Append('\n');
        for (int i = 0; i < doc.Sections.Count; i++)
        {
            var section = doc.Sections[i];
            var link = $"[{i + 1}. {Markdown.Escape(section.Title)}](#{anchors[i]})";
            if (section.Status != SectionStatus.Completed) link += $" **{ReportText.StatusWord(section.Status)}**";
            if (section.Claims.Count == 0)
            {
                var row = section.Status switch
                {
                    SectionStatus.Failed => new[] { link, "*No claim could be checked.*", "**failed**", Markdown.Escape(section.Failure) },
                    SectionStatus.NotRun => [link, "*No claim was checked.*", "**not run**", ""],
                    _ => [link, "*This section checks no claim.*", "", ""],
                };
                md.Append(Markdown.Row(row)).Append('\n');
                continue;
            }
            for (int c = 0; c < section.Claims.Count; c++)
            {
                var claim = section.Claims[c];
                md.Append(Markdown.Row([c == 0 ? link : "", Markdown.Escape(claim.Text), Verdict(claim.Verdict), Markdown.Escape(claim.Evidence)])).Append('\n');
            }
        }
        md.Append('\n');
    }

    static void WriteSection(StringBuilder md, ReportSection section, int number, string anchor, string baseFolder, MarkdownCounters counters)
    {
        md.Append("<a id=\"").Append(anchor).Append("\"></a>\n\n## ").Append(number).Append(". ").Append(Markdown.Escape(section.Title)).Append("\n\n")
            .Append("**").Append(ReportText.StatusWord(section.Status)).Append("**");
        if (section.Status != SectionStatus.NotRun) md.Append(" · run time ").Append(ReportText.Duration(section.Seconds));
        md.Append(" · [back to the claims](#summary)\n\n");
        if (section.Status == SectionStatus.Failed)
            md.Append("> **This experiment failed:** ")
                .Append(Markdown.Escape(string.IsNullOrWhiteSpace(section.Failure) ? "no error message was recorded" : section.Failure)).Append("\n\n");
        else if (section.Status == SectionStatus.NotRun)
            md.Append("*This experiment was not run.*\n\n");

        var talk = ReportText.Paragraphs(section.Talk);
        if (talk.Count > 0)
            md.Append("> *The talk says:* ").Append(string.Join("\n>\n> ", talk.Select(Markdown.Escape))).Append("\n\n");

        if (section.Claims.Count > 0)
        {
            md.Append("### Claims\n\n").Append(Markdown.Row(["Claim", "Verdict", "Evidence"])).Append('\n')
                .Append(Markdown.Row(["---", "---", "---"])).Append('\n');
            foreach (var claim in section.Claims)
                md.Append(Markdown.Row([Markdown.Escape(claim.Text), Verdict(claim.Verdict), Markdown.Escape(claim.Evidence)])).Append('\n');
            md.Append('\n');
        }
        foreach (var figure in section.Figures) WriteFigure(md, figure, ++counters.Figures, baseFolder);
        foreach (var table in section.Tables) WriteTable(md, table, ++counters.Tables);
        if (section.Settings.Count > 0)
        {
            md.Append("### Settings\n\n");
            foreach (var setting in section.Settings)
                md.Append("- **").Append(Markdown.Escape(setting.Name)).Append(":** ").Append(Markdown.Escape(setting.Value)).Append('\n');
            md.Append('\n');
        }
        if (section.Commands.Count > 0)
            md.Append("### Reproduce\n\n").Append(Markdown.CodeBlock(section.Commands, "sh")).Append('\n');
        if (section.Notes.Count > 0)
        {
            md.Append("### Notes\n\n");
            foreach (var note in section.Notes) md.Append("- ").Append(Markdown.Escape(note)).Append('\n');
            md.Append('\n');
        }
    }

    static string Verdict(string verdict) => $"**{Markdown.Escape(verdict.Trim())}**";

    static void WriteFigure(StringBuilder md, ReportFigure figure, int number, string baseFolder)
    {
        var full = FigureFile.Resolve(baseFolder, figure.PngPath);
        var caption = $"*Figure {number}.* {Markdown.Escape(figure.Caption)}";
        if (!File.Exists(full))
        {
            md.Append("> **").Append(Markdown.Escape($"figure missing: {figure.PngPath}")).Append("**\n\n").Append(caption).Append("\n\n");
            return;
        }
        var relative = Path.GetRelativePath(Path.GetFullPath(baseFolder), full);
        md.Append("![").Append(Markdown.Escape(figure.Caption)).Append("](").Append(Markdown.LinkTarget(relative)).Append(")\n\n")
            .Append(caption).Append("\n\n");
    }

    static void WriteTable(StringBuilder md, ReportTable table, int number)
    {
        md.Append("*Table ").Append(number).Append(".* ").Append(Markdown.Escape(table.Caption)).Append("\n\n");
        int width = Math.Max(table.Columns.Count, table.Rows.Count == 0 ? 0 : table.Rows.Max(r => r.Count));
        if (width == 0) return;
        // A pipe table needs a header row; cells a row lacks are left empty.
        var header = Enumerable.Range(0, width).Select(i => i < table.Columns.Count ? Markdown.Escape(table.Columns[i]) : "");
        md.Append(Markdown.Row(header)).Append('\n')
            .Append(Markdown.Row(Enumerable.Range(0, width).Select(i => ReportText.IsNumericColumn(table, i) ? "---:" : "---"))).Append('\n');
        foreach (var row in table.Rows)
            md.Append(Markdown.Row(Enumerable.Range(0, width).Select(i => i < row.Count ? Markdown.Escape(row[i]) : ""))).Append('\n');
        md.Append('\n');
    }
}
