namespace LossLandscape.Reporting;

/// <summary>How an axis maps data to position. Log10 axes drop non-positive points rather than failing.</summary>
public enum AxisScale { Linear, Log10 }
