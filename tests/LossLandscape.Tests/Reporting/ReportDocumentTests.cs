using System.Buffers.Binary;
using System.Text.RegularExpressions;
using LossLandscape.Reporting;
using LossLandscape.Reporting.Documents;

namespace LossLandscape.Tests.Reporting;

public class ReportDocumentTests : IDisposable
{
    readonly FigureFiles files = new();
    readonly string reportFolder;
    readonly string sharpnessPng;
    readonly string widthPng;

    public ReportDocumentTests()
    {
        reportFolder = Directory.CreateDirectory(Path.Combine(files.Folder, "report")).FullName;
        var style = FigureStyle.Default with { Width = 480, Height = 360 };
        var lr = new[] { 0.01, 0.02, 0.05, 0.1, 0.2, 0.4 };
        // One figure inside the report folder (given relative), one outside it with a space in its name (given absolute).
        sharpnessPng = new LinePlot("Sharpness against learning rate", "learning rate η", "top Hessian eigenvalue", style) { Markers = true }
            .Add("SGD", lr, lr.Select(x => 2 / x).ToArray())
            .Save(Path.Combine(reportFolder, "figures", "sharpness")).PngPath;
        var widths = new[] { 1.0, 2, 4, 8, 16, 32, 64 };
        widthPng = new LinePlot("Test error against width", "width k", "test error", style) { XScale = AxisScale.Log10 }
            .Add("test", widths, widths.Select(k => 0.3 + 0.2 * Math.Exp(-Math.Pow(Math.Log(k / 8), 2))).ToArray())
            .Save(Path.Combine(files.Folder, "elsewhere", "width sweep")).PngPath;
    }

    public void Dispose() => files.Dispose();

    const string HostileClaim = "Large LR finds <script>alert(1)</script> flat minima & \"wide\" ones";

    ReportDocument Document(params ReportFigure[] extraFigures) => new(
        "Loss landscapes <reproduced> & checked",
        "Every experiment of the talk, run at the quick preset.\n\nVerdicts compare the measured effect with its seed-to-seed spread.",
        [new("machine", "2 cores, Debian 12"), new("threads", "2"), new("commit", "abc1234"), new("preset", "quick"), new("total run time", "12 min 03 s")],
        [
            new("1-lr-width", "Learning rate and the width of minima",
                "A large learning rate early in training leads to wider minima that generalise better.",
                SectionStatus.Completed, null, 125.4,
                [
                    new(HostileClaim, ClaimVerdict.Reproduced, "effect 0.031 +- 0.004 over 3 seeds"),
                    new("Small LR memorises the hard patterns first", ClaimVerdict.Partly, "2 of 3 seeds | see table"),
                ],
                [new(Path.Combine("figures", "sharpness.png"), "Top Hessian eigenvalue after training, per learning rate."), new(widthPng, "Test error & width."), .. extraFigures],
                [new("Final metrics", ["lr", "test error", "note"], [["0.01", "0.123", "a|b"], ["0.4", "0.101", "<b>bold?</b>"]])],
                [new("epochs", "30"), new("batch size", "128")],
                ["landscape train --preset quick --lr 0.4", "landscape hessian --top 1 runs/lr-0.4"],
                ["Seeds 0, 1 and 2."]),
            new("4-mode-connectivity", "Mode connectivity", "Minima found by SGD are connected by simple curves of low loss.",
                SectionStatus.Failed, "out of memory <allocating 2 GiB> & gave up", 3.5,
                [], [], [], [], ["landscape connect --preset quick"], []),
        ]);

    string RenderHtml(ReportDocument doc)
    {
        var path = Path.Combine(reportFolder, "report.html");
        HtmlReport.Write(doc, path);
        return File.ReadAllText(path);
    }

    static string Between(string text, string start, string end)
    {
        int from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"'{start}' not found");
        int to = text.IndexOf(end, from, StringComparison.Ordinal);
        Assert.True(to >= 0, $"'{end}' not found after '{start}'");
        return text[from..to];
    }

    [Fact]
    public void ReportDocumentHtmlEscapesEveryString()
    {
        var html = RenderHtml(Document());
        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("Large LR finds &lt;script&gt;alert(1)&lt;/script&gt; flat minima &amp; &quot;wide&quot; ones", html);
        Assert.Contains("<title>Loss landscapes &lt;reproduced&gt; &amp; checked</title>", html);
        Assert.Contains("out of memory &lt;allocating 2 GiB&gt; &amp; gave up", html);
        Assert.Contains("&lt;b&gt;bold?&lt;/b&gt;", html);
        Assert.Single(Regex.Matches(html, "<script"));
        Assert.Single(Regex.Matches(html, "<style"));
    }

    [Fact]
    public void ReportDocumentHtmlEmbedsEveryFigureAsTheOriginalPngBytes()
    {
        var html = RenderHtml(Document());
        var embedded = Regex.Matches(html, "<img [^>]*src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToList();
        Assert.Equal(2, embedded.Count);
        Assert.Equal(File.ReadAllBytes(sharpnessPng), embedded[0]);
        Assert.Equal(File.ReadAllBytes(widthPng), embedded[1]);
        Assert.Equal(2, Regex.Matches(html, "<img ").Count);
        Assert.Contains("<body data-missing=\"0\">", html);
        // Self-contained: nothing is fetched from anywhere.
        foreach (var outside in new[] { "http://", "https://", "<link", "src=\"file:", "url(", "@import" })
            Assert.DoesNotContain(outside, html);
        Assert.Contains("Figure 1.", html);
        Assert.Contains("Figure 2.", html);
        Assert.Empty(Directory.GetFiles(reportFolder, "*.tmp"));
    }

    [Fact]
    public void ReportDocumentHtmlSummaryListsEveryClaimAndLinksEverySection()
    {
        var doc = Document();
        var html = RenderHtml(doc);
        var summary = Between(html, "<table class=\"summary\">", "</table>");
        // One row per claim, plus one for the failed section that has none.
        Assert.Equal(3, Regex.Matches(Between(summary, "<tbody>", "</tbody>"), "<tr").Count);
        Assert.Contains("Large LR finds &lt;script&gt;", summary);
        Assert.Contains("Small LR memorises the hard patterns first", summary);
        Assert.Contains("<span class=\"badge badge-reproduced\">reproduced</span>", summary);
        Assert.Contains("<span class=\"badge badge-partly\">partly</span>", summary);
        foreach (var anchor in new[] { "1-lr-width", "4-mode-connectivity" })
        {
            Assert.Single(Regex.Matches(html, $"id=\"{anchor}\""));
            Assert.Contains($"<a href=\"#{anchor}\">", summary);
        }
        Assert.Contains("2 claims: 1 reproduced, 1 partly, 0 not reproduced in 2 sections. 1 section failed.", html);
        Assert.Contains("How verdicts are decided", html);
        Assert.Contains("<p class=\"lead\">Verdicts compare the measured effect with its seed-to-seed spread.</p>", html);
    }

    [Fact]
    public void ReportDocumentHtmlShowsTheFailedSection()
    {
        var html = RenderHtml(Document());
        var summaryRow = Between(html, "<a href=\"#4-mode-connectivity\">", "</tr>");
        Assert.Contains("badge-failed", summaryRow);
        Assert.Contains("out of memory &lt;allocating 2 GiB&gt;", summaryRow);
        var section = Between(html, "id=\"4-mode-connectivity\"", "</section>");
        Assert.Contains("<span class=\"badge badge-failed\">failed</span>", section);
        Assert.Contains("<div class=\"failure\" role=\"alert\"><strong>This experiment failed:</strong> <code>out of memory &lt;allocating 2 GiB&gt; &amp; gave up</code></div>", section);
        Assert.Contains("<code>landscape connect --preset quick</code>", section);
        var completed = Between(html, "id=\"1-lr-width\"", "</section>");
        Assert.Contains("run time 2 min 05 s", completed);
        Assert.Contains("<dt>batch size</dt><dd>128</dd>", completed);
    }

    [Fact]
    public void ReportDocumentMissingFigureBecomesAPlaceholderWithoutAnImage()
    {
        var doc = Document(new ReportFigure(Path.Combine("figures", "never-drawn.png"), "A figure whose run failed."));
        var html = RenderHtml(doc);
        Assert.Contains("<body data-missing=\"1\">", html);
        Assert.Contains(">figure missing: figures/never-drawn.png</div>", html);
        Assert.Equal(2, Regex.Matches(html, "<img ").Count);
        Assert.Contains("Figure 3.</span> A figure whose run failed.", html);
        var md = MarkdownReport.Render(doc, reportFolder);
        Assert.Contains("figure missing: figures/never-drawn.png", md);
        Assert.DoesNotContain("never-drawn.png)", md);
    }

    [Fact]
    public void ReportDocumentMarkdownLinksFiguresRelativeToTheReport()
    {
        var doc = Document();
        var path = Path.Combine(reportFolder, "report.md");
        MarkdownReport.Write(doc, path);
        var md = File.ReadAllText(path);
        var links = Regex.Matches(md, @"!\[[^\]]*\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["figures/sharpness.png", "../elsewhere/width%20sweep.png"], links);
        foreach (var link in links)
        {
            Assert.False(Path.IsPathRooted(link), link);
            Assert.True(File.Exists(Path.Combine(reportFolder, Uri.UnescapeDataString(link))), $"{link} does not exist beside the report");
        }
        Assert.Equal(File.ReadAllBytes(widthPng), File.ReadAllBytes(Path.GetFullPath(Path.Combine(reportFolder, "../elsewhere/width sweep.png"))));
        foreach (var anchor in new[] { "1-lr-width", "4-mode-connectivity" })
        {
            Assert.Contains($"<a id=\"{anchor}\"></a>", md);
            Assert.Contains($"](#{anchor})", md);
        }
        Assert.Contains("> **This experiment failed:** out of memory \\<allocating 2 GiB\\> \\& gave up", md);
        Assert.Contains("```sh\nlandscape train --preset quick --lr 0.4\nlandscape hessian --top 1 runs/lr-0.4\n```", md);
        Assert.Empty(Directory.GetFiles(reportFolder, "*.tmp"));
    }

    [Fact]
    public void ReportDocumentMarkdownTablesEscapePipesAndMarkup()
    {
        var md = MarkdownReport.Render(Document(), reportFolder);
        Assert.DoesNotContain("<script>", md);
        Assert.Contains("Large LR finds \\<script\\>alert(1)\\</script\\> flat minima \\& \"wide\" ones", md);
        static int Cells(string row) => Regex.Matches(row, @"(?<!\\)\|").Count - 1;
        var lines = md.Split('\n');
        Assert.Equal(3, Cells(lines.Single(l => l.StartsWith("| 0.01 ", StringComparison.Ordinal))));
        Assert.Contains("| 0.01 | 0.123 | a\\|b |", md);
        Assert.Equal(4, Cells(lines.Single(l => l.StartsWith("|  | Small LR", StringComparison.Ordinal))));
        Assert.Equal(3, Cells(lines.Single(l => l.StartsWith("| Small LR", StringComparison.Ordinal))));
        Assert.Contains("2 of 3 seeds \\| see table", md);
        Assert.Contains("| ---: | ---: | --- |", md);
        // Every summary row has the summary's four cells.
        var summary = lines.SkipWhile(l => !l.StartsWith("| Section |", StringComparison.Ordinal)).TakeWhile(l => l.StartsWith('|')).ToList();
        Assert.Equal(5, summary.Count);
        Assert.All(summary, row => Assert.Equal(4, Cells(row)));
        Assert.Contains("**failed**", summary[4]);
    }

    [Fact]
    public void ReportDocumentSectionIdsBecomeUniqueAnchors()
    {
        ReportSection Section(string id) => new(id, "T", "", SectionStatus.NotRun, null, 0, [], [], [], [], [], []);
        var html = HtmlReport.Render(new ReportDocument("t", "", [], [Section("Mode connectivity!"), Section("mode connectivity"), Section("")]), reportFolder);
        Assert.Contains("id=\"mode-connectivity\"", html);
        Assert.Contains("id=\"mode-connectivity-2\"", html);
        Assert.Contains("id=\"section-3\"", html);
        Assert.Contains("0 claims in 3 sections. 3 sections were not run.", html);
    }

    [Fact]
    public void ReportDocumentBrowserCheckWithoutChromiumNamesTheInstallCommand()
    {
        var html = Path.Combine(reportFolder, "report.html");
        HtmlReport.Write(Document(), html);
        // Only this class reads the variable, and xunit runs a class's tests one at a time.
        var saved = Environment.GetEnvironmentVariable(BrowserCheck.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(BrowserCheck.EnvironmentVariable, Path.Combine(files.Folder, "no-such-chromium"));
            Assert.Null(BrowserCheck.FindChromium());
            var error = Assert.Throws<LandscapeException>(() => BrowserCheck.Check(html, null));
            Assert.Contains("apt-get install chromium", error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(BrowserCheck.EnvironmentVariable, saved);
        }
    }

    [Fact, Trait("Category", "Browser")]
    public void ReportDocumentBrowserFindsChromium()
    {
        Assert.True(BrowserCheck.FindChromium() is not null,
            $"Chromium is needed by the browser checks of report.html: install it with `{BrowserCheck.InstallHint}` (or set {BrowserCheck.EnvironmentVariable})");
    }

    [Fact, Trait("Category", "Browser")]
    public void ReportDocumentBrowserLoadsEveryFigureWithoutConsoleErrors()
    {
        var html = Path.Combine(reportFolder, "report.html");
        HtmlReport.Write(Document(), html);
        var screenshot = Path.Combine(files.Folder, "shots", "report.png");
        var result = BrowserCheck.Check(html, screenshot);
        Assert.True(result.ConsoleErrors.Count == 0, "console: " + string.Join(" / ", result.ConsoleErrors));
        Assert.True(result.CountsRecorded);
        Assert.Equal(2, result.Images);
        Assert.Equal(2, result.ImagesLoaded);
        Assert.Equal(0, result.MissingFigures);
        Assert.True(result.Passed, string.Join("; ", result.Problems));
        Assert.Equal(screenshot, result.ScreenshotPath);
        var png = File.ReadAllBytes(screenshot);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(1280, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(2400, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.InRange(png.Length, 30_000, 20_000_000);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(screenshot)!, "*.tmp*"));
    }

    [Fact, Trait("Category", "Browser")]
    public void ReportDocumentBrowserReportsABrokenImageAndConsoleErrors()
    {
        var good = Convert.ToBase64String(File.ReadAllBytes(sharpnessPng));
        var page = Path.Combine(files.Folder, "broken.html");
        File.WriteAllText(page, $$"""
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>broken</title></head><body>
            <img alt="fine" src="data:image/png;base64,{{good}}">
            <img alt="garbage" src="data:image/png;base64,bm90IGEgcG5nIGF0IGFsbA==">
            <script>
            window.addEventListener("load", function () {
              var images = document.images, loaded = 0;
              for (var i = 0; i < images.length; i++) if (images[i].complete && images[i].naturalWidth > 0) loaded++;
              document.body.dataset.images = String(images.length);
              document.body.dataset.imagesLoaded = String(loaded);
            });
            console.error("deliberate console error");
            </script>
            <script>thisFunctionDoesNotExist();</script>
            </body></html>
            """);
        var result = BrowserCheck.Check(page, null);
        Assert.Equal(2, result.Images);
        Assert.Equal(1, result.ImagesLoaded);
        Assert.Null(result.ScreenshotPath);
        Assert.Contains(result.ConsoleErrors, e => e.StartsWith("deliberate console error (broken.html:", StringComparison.Ordinal));
        Assert.Contains(result.ConsoleErrors, e => e.StartsWith("Uncaught ReferenceError: thisFunctionDoesNotExist is not defined", StringComparison.Ordinal));
        Assert.False(result.Passed);
        Assert.Contains("1 of 2 images did not load", result.Problems);
    }

    [Fact, Trait("Category", "Browser")]
    public void ReportDocumentBrowserCountsACorruptAndAMissingFigure()
    {
        var corrupt = Path.Combine(reportFolder, "figures", "corrupt.png");
        File.WriteAllBytes(corrupt, "\x89PNG but then nothing a decoder would accept"u8.ToArray());
        var html = Path.Combine(reportFolder, "report.html");
        HtmlReport.Write(Document(new ReportFigure(corrupt, "Corrupt."), new ReportFigure("figures/absent.png", "Absent.")), html);
        var result = BrowserCheck.Check(html, null);
        Assert.Equal(3, result.Images);
        Assert.Equal(2, result.ImagesLoaded);
        Assert.Equal(1, result.MissingFigures);
        Assert.Empty(result.ConsoleErrors);
        Assert.Equal(["1 of 3 images did not load", "1 figure file was missing"], result.Problems);
    }
}
