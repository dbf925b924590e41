namespace LossLandscape.Reporting;

/// <summary>The two files a figure was written to.</summary>
public sealed record SavedFigure(string PngPath, string SvgPath);
