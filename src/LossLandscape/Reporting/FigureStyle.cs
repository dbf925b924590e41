namespace LossLandscape.Reporting;

/// <summary>Size and type sizes shared by every figure, so plots from one study look alike side by side.</summary>
public sealed record FigureStyle(
    int Width = 800,
    int Height = 600,
    float TitleFontSize = 20,
    float AxisLabelFontSize = 16,
    float TickFontSize = 13,
    float LegendFontSize = 13,
    float LineWidth = 2,
    float MarkerSize = 6)
{
    public static FigureStyle Default { get; } = new();
}
