namespace LossLandscape.Reporting.Documents;

/// <summary>A PNG figure with its caption; <paramref name="PngPath"/> is absolute or relative to the report's folder.</summary>
public sealed record ReportFigure(string PngPath, string Caption);
