namespace LossLandscape.Reporting.Documents;

/// <summary>A table of results: a caption, column headers and rows of already formatted cells.</summary>
public sealed record ReportTable(string Caption, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);
