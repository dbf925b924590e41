namespace LossLandscape.Reporting.Documents;

/// <summary>
/// What headless Chromium saw of a report: how many &lt;img&gt; it has and how many decoded, every console
/// message and uncaught exception (see <see cref="BrowserCheck"/> for why all console messages count), and
/// where the screenshot went. <see cref="MissingFigures"/> is the report's own count of figures whose file was
/// absent when it was written (its <c>data-missing</c>), and <see cref="CountsRecorded"/> says whether the
/// page's image-count script ran at all.
/// </summary>
public sealed record BrowserCheckResult(int Images, int ImagesLoaded, IReadOnlyList<string> ConsoleErrors, string? ScreenshotPath)
{
    public int MissingFigures { get; init; }

    public bool CountsRecorded { get; init; } = true;

    /// <summary>One line per problem found; empty when the report rendered cleanly.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            var problems = new List<string>();
            if (!CountsRecorded) problems.Add("the page's image-count script did not run (no data-images on <body>)");
            if (ImagesLoaded < Images) problems.Add($"{Images - ImagesLoaded} of {Images} images did not load");
            if (MissingFigures > 0) problems.Add(MissingFigures == 1 ? "1 figure file was missing" : $"{MissingFigures} figure files were missing");
            problems.AddRange(ConsoleErrors.Select(e => "console: " + e));
            return problems;
        }
    }

    public bool Passed => Problems.Count == 0;
}
