namespace LossLandscape.Reporting.Documents;

/// <summary>
/// One experiment of the talk as the report shows it. <paramref name="Id"/> names its anchor (letters, digits,
/// '-' and '_' keep it readable in links; anything else is replaced). <paramref name="Talk"/> is what the talk's
/// slide says, <paramref name="Failure"/> the one-line error of a failed run, <paramref name="Seconds"/> its run time.
/// </summary>
public sealed record ReportSection(
    string Id,
    string Title,
    string Talk,
    SectionStatus Status,
    string? Failure,
    double Seconds,
    IReadOnlyList<ReportClaim> Claims,
    IReadOnlyList<ReportFigure> Figures,
    IReadOnlyList<ReportTable> Tables,
    IReadOnlyList<ReportFact> Settings,
    IReadOnlyList<string> Commands,
    IReadOnlyList<string> Notes);
