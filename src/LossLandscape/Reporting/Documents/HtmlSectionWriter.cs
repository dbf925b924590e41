using System.Text;

namespace LossLandscape.Reporting.Documents;

/// <summary>One section of report.html: title, the talk's statement, status, claims, figures, tables, settings, commands, notes.</summary>
static class HtmlSectionWriter
{
    /// <summary>Running numbers across the document: figures and tables are numbered once, in reading order.</summary>
    public sealed class Counters
    {
        public int Figures;
        public int Tables;
        public int MissingFigures;
    }

    public static void Write(StringBuilder html, ReportSection section, int number, string anchor, string baseFolder, Counters counters)
    {
        var status = ReportText.StatusWord(section.Status);
        html.Append("<section class=\"experiment status-").Append(status.Replace(' ', '-')).Append("\" id=\"").Append(Html.Escape(anchor)).Append("\">\n")
            .Append("<h2><span class=\"number\">").Append(number).Append(".</span> ").Append(Html.Escape(section.Title)).Append("</h2>\n")
            .Append("<p class=\"meta\">").Append(Html.StatusBadge(section.Status));
        if (section.Status != SectionStatus.NotRun)
            html.Append(" <span>run time ").Append(Html.Escape(ReportText.Duration(section.Seconds))).Append("</span>");
        html.Append(" <a class=\"back\" href=\"#summary\">back to the claims</a></p>\n");

        if (section.Status == SectionStatus.Failed)
            html.Append("<div class=\"failure\" role=\"alert\"><strong>This experiment failed:</strong> <code>")
                .Append(Html.Escape(string.IsNullOrWhiteSpace(section.Failure) ? "no error message was recorded" : section.Failure))
                .Append("</code></div>\n");
        else if (section.Status == SectionStatus.NotRun)
            html.Append("<div class=\"not-run\">This experiment was not run.</div>\n");

        var talk = ReportText.Paragraphs(section.Talk);
        if (talk.Count > 0)
        {
            html.Append("<blockquote class=\"talk\">\n<p class=\"label\">The talk says</p>\n");
            foreach (var paragraph in talk) html.Append("<p>").Append(Html.Escape(paragraph)).Append("</p>\n");
            html.Append("</blockquote>\n");
        }

        WriteClaims(html, section.Claims);
        foreach (var figure in section.Figures) WriteFigure(html, figure, baseFolder, counters);
        foreach (var table in section.Tables) WriteTable(html, table, ++counters.Tables);
        WriteSettings(html, section.Settings);
        WriteCommands(html, section.Commands);
        if (section.Notes.Count > 0)
        {
            html.Append("<h3>Notes</h3>\n<ul class=\"notes\">\n");
            foreach (var note in section.Notes) html.Append("<li>").Append(Html.Escape(note)).Append("</li>\n");
            html.Append("</ul>\n");
        }
        html.Append("</section>\n");
    }

    static void WriteClaims(StringBuilder html, IReadOnlyList<ReportClaim> claims)
    {
        if (claims.Count == 0) return;
        html.Append("<h3>Claims</h3>\n<div class=\"table-wrap\">\n<table class=\"claims\">\n")
            .Append("<thead><tr><th scope=\"col\">Claim</th><th scope=\"col\">Verdict</th><th scope=\"col\">Evidence</th></tr></thead>\n<tbody>\n");
        foreach (var claim in claims)
            html.Append("<tr><td>").Append(Html.Escape(claim.Text)).Append("</td><td class=\"verdict\">").Append(Html.VerdictBadge(claim.Verdict))
                .Append("</td><td class=\"evidence\">").Append(Html.Escape(claim.Evidence)).Append("</td></tr>\n");
        html.Append("</tbody>\n</table>\n</div>\n");
    }

    static void WriteFigure(StringBuilder html, ReportFigure figure, string baseFolder, Counters counters)
    {
        int number = ++counters.Figures;
        var file = FigureFile.Load(baseFolder, figure.PngPath);
        html.Append("<figure id=\"figure-").Append(number).Append("\">\n");
        if (file.Bytes is null)
        {
            counters.MissingFigures++;
            html.Append("<div class=\"figure-missing\" role=\"img\" aria-label=\"").Append(Html.Escape(file.Problem)).Append("\">")
                .Append(Html.Escape(file.Problem)).Append("</div>\n");
        }
        else
        {
            // No loading="lazy": a headless check (and printing) must see every image decoded.
            html.Append("<img alt=\"").Append(Html.Escape(figure.Caption)).Append("\" src=\"data:image/png;base64,")
                .Append(Convert.ToBase64String(file.Bytes)).Append("\">\n");
        }
        html.Append("<figcaption><span class=\"label\">Figure ").Append(number).Append(".</span> ")
            .Append(Html.Escape(figure.Caption)).Append("</figcaption>\n</figure>\n");
    }

    static void WriteTable(StringBuilder html, ReportTable table, int number)
    {
        html.Append("<div class=\"table-wrap\">\n<table class=\"data\">\n<caption><span class=\"label\">Table ").Append(number).Append(".</span> ")
            .Append(Html.Escape(table.Caption)).Append("</caption>\n");
        int width = Math.Max(table.Columns.Count, table.Rows.Count == 0 ? 0 : table.Rows.Max(r => r.Count));
        var numeric = Enumerable.Range(0, width).Select(i => ReportText.IsNumericColumn(table, i)).ToArray();
        if (table.Columns.Count > 0)
        {
            html.Append("<thead><tr>");
            for (int i = 0; i < table.Columns.Count; i++)
                html.Append(numeric[i] ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">").Append(Html.Escape(table.Columns[i])).Append("</th>");
            html.Append("</tr></thead>\n");
        }
        html.Append("<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (int i = 0; i < row.Count; i++)
                html.Append(numeric[i] ? "<td class=\"num\">" : "<td>").Append(Html.Escape(row[i])).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n</div>\n");
    }

    static void WriteSettings(StringBuilder html, IReadOnlyList<ReportFact> settings)
    {
        if (settings.Count == 0) return;
        html.Append("<h3>Settings</h3>\n<dl class=\"facts settings\">\n");
        foreach (var setting in settings)
            html.Append("<div><dt>").Append(Html.Escape(setting.Name)).Append("</dt><dd>").Append(Html.Escape(setting.Value)).Append("</dd></div>\n");
        html.Append("</dl>\n");
    }

    static void WriteCommands(StringBuilder html, IReadOnlyList<string> commands)
    {
        if (commands.Count == 0) return;
        html.Append("<h3>Reproduce</h3>\n<pre class=\"commands\"><code>");
        html.Append(string.Join("\n", commands.Select(Html.Escape)));
        html.Append("</code></pre>\n");
    }
}
