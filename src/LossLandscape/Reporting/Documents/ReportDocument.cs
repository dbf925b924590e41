namespace LossLandscape.Reporting.Documents;

/// <summary>
/// Everything a reproduction report shows, independent of its format: a title, a summary (paragraphs separated
/// by blank lines; the place to say how verdicts were decided), facts about the run shown in a header block
/// (machine, threads, commit, preset, start, total time) and one section per part of the talk.
/// <see cref="HtmlReport"/> and <see cref="MarkdownReport"/> write it.
/// </summary>
public sealed record ReportDocument(string Title, string Summary, IReadOnlyList<ReportFact> About, IReadOnlyList<ReportSection> Sections);
