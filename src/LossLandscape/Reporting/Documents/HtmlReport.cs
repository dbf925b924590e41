using System.Security.Cryptography;
using System.Text;
using LossLandscape.Runs;

namespace LossLandscape.Reporting.Documents;

/// <summary>
/// Writes a <see cref="ReportDocument"/> as one self-contained HTML file: styles inline, figures embedded as
/// base64 PNG data, no network, and one small script that records on &lt;body&gt; how many images loaded
/// (<c>data-images</c>, <c>data-images-loaded</c>) so that <see cref="BrowserCheck"/> can read it back.
/// A Content-Security-Policy that admits only that script, those styles and data: images keeps it so.
/// </summary>
public static class HtmlReport
{
    /// <summary>Renders <paramref name="doc"/> and writes it atomically to <paramref name="path"/>; relative figure paths are taken from its folder.</summary>
    public static void Write(ReportDocument doc, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        AtomicFile.WriteAllText(path, Render(doc, folder));
    }

    /// <summary>The HTML text of <paramref name="doc"/>, reading figures given by relative paths from <paramref name="baseFolder"/>.</summary>
    public static string Render(ReportDocument doc, string baseFolder)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var anchors = ReportText.Anchors(doc.Sections);
        var body = new StringBuilder();
        var counters = new HtmlSectionWriter.Counters();
        for (int i = 0; i < doc.Sections.Count; i++)
            HtmlSectionWriter.Write(body, doc.Sections[i], i + 1, anchors[i], baseFolder, counters);

        var html = new StringBuilder(body.Length + 16_384);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy).Append("\">\n")
            .Append("<meta name=\"generator\" content=\"LossLandscape\">\n")
            .Append("<title>").Append(Html.Escape(doc.Title)).Append("</title>\n")
            .Append("<style>").Append(HtmlReportStyles.Css).Append("</style>\n</head>\n")
            .Append("<body data-missing=\"").Append(counters.MissingFigures).Append("\">\n<main>\n");
        WriteHeader(html, doc);
        WriteSummary(html, doc, anchors);
        html.Append(body);
        html.Append("</main>\n<script>").Append(ImageCountScript).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    static void WriteHeader(StringBuilder html, ReportDocument doc)
    {
        html.Append("<header class=\"report-header\">\n<h1>").Append(Html.Escape(doc.Title)).Append("</h1>\n");
        if (doc.About.Count > 0)
        {
            html.Append("<dl class=\"facts about\">\n");
            foreach (var fact in doc.About)
                html.Append("<div><dt>").Append(Html.Escape(fact.Name)).Append("</dt><dd>").Append(Html.Escape(fact.Value)).Append("</dd></div>\n");
            html.Append("</dl>\n");
        }
        foreach (var paragraph in ReportText.Paragraphs(doc.Summary))
            html.Append("<p class=\"lead\">").Append(Html.Escape(paragraph)).Append("</p>\n");
        html.Append("</header>\n");
    }

    static void WriteSummary(StringBuilder html, ReportDocument doc, IReadOnlyList<string> anchors)
    {
        html.Append("<section class=\"overview\" id=\"summary\">\n<h2>Claims at a glance</h2>\n")
            .Append("<p class=\"tally\">").Append(Html.Escape(ReportText.Tally(doc))).Append("</p>\n")
            .Append("<div class=\"verdict-legend\">\n<h3>").Append(Html.Escape(ReportText.VerdictsHeading)).Append("</h3>\n<p>")
            .Append(Html.Escape(ReportText.VerdictsIntro));
        foreach (var (verdict, meaning) in ReportText.VerdictMeanings)
            html.Append(' ').Append(Html.VerdictBadge(verdict)).Append(' ').Append(Html.Escape(meaning));
        html.Append(' ').Append(Html.Escape(ReportText.VerdictsOutro)).Append("</p>\n</div>\n");

        html.Append("<div class=\"table-wrap\">\n<table class=\"summary\">\n<thead><tr><th scope=\"col\">Section</th><th scope=\"col\">Claim</th>")
            .Append("<th scope=\"col\">Verdict</th><th scope=\"col\">Evidence</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < doc.Sections.Count; i++)
        {
            var section = doc.Sections[i];
            var sectionCell = new StringBuilder()
                .Append("<a href=\"#").Append(Html.Escape(anchors[i])).Append("\">").Append(i + 1).Append(". ")
                .Append(Html.Escape(section.Title)).Append("</a>");
            if (section.Status != SectionStatus.Completed) sectionCell.Append(' ').Append(Html.StatusBadge(section.Status));
            if (section.Claims.Count == 0)
            {
                var (claim, verdict, evidence) = section.Status switch
                {
                    SectionStatus.Failed => ("No claim could be checked.", Html.StatusBadge(section.Status), Html.Escape(section.Failure ?? "")),
                    SectionStatus.NotRun => ("No claim was checked.", Html.StatusBadge(section.Status), ""),
                    _ => ("This section checks no claim.", "", ""),
                };
                html.Append("<tr class=\"group-start\"><th scope=\"row\">").Append(sectionCell).Append("</th><td class=\"muted\">")
                    .Append(Html.Escape(claim)).Append("</td><td class=\"verdict\">").Append(verdict).Append("</td><td>").Append(evidence).Append("</td></tr>\n");
                continue;
            }
            for (int c = 0; c < section.Claims.Count; c++)
            {
                var claim = section.Claims[c];
                html.Append(c == 0 ? "<tr class=\"group-start\">" : "<tr>")
                    .Append("<th scope=\"row\">").Append(c == 0 ? sectionCell.ToString() : "").Append("</th>")
                    .Append("<td>").Append(Html.Escape(claim.Text)).Append("</td>")
                    .Append("<td class=\"verdict\">").Append(Html.VerdictBadge(claim.Verdict)).Append("</td>")
                    .Append("<td class=\"evidence\">").Append(Html.Escape(claim.Evidence)).Append("</td></tr>\n");
            }
        }
        html.Append("</tbody>\n</table>\n</div>\n</section>\n");
    }

    /// <summary>
    /// The only script: on load, counts the page's images and those that decoded, for <see cref="BrowserCheck"/>
    /// (a broken embedded PNG is <c>complete</c> with <c>naturalWidth</c> 0).
    /// </summary>
    const string ImageCountScript = """

        window.addEventListener("load", function () {
          var images = document.images, loaded = 0;
          for (var i = 0; i < images.length; i++) {
            if (images[i].complete && images[i].naturalWidth > 0) loaded++;
          }
          document.body.dataset.images = String(images.length);
          document.body.dataset.imagesLoaded = String(loaded);
        });

        """;

    // Hashes rather than 'unsafe-inline' for the script: nothing but this exact script can ever run.
    static readonly string ContentSecurityPolicy =
        $"default-src 'none'; img-src data:; style-src '{Sha256(HtmlReportStyles.Css)}'; script-src '{Sha256(ImageCountScript)}'; base-uri 'none'; form-action 'none'";

    static string Sha256(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
