using System.Text;
using LossLandscape.Runs;
using ScottPlot;

namespace LossLandscape.Reporting;

/// <summary>
/// The shared look of every figure and the one way they are written: <c>basePath.png</c> and
/// <c>basePath.svg</c>, each atomically. <see cref="LinePlot"/>, <see cref="ContourPlot"/> and
/// <see cref="ScatterPlot"/> build on it; use <see cref="Create"/> and <see cref="Save"/> directly for a
/// one-off ScottPlot figure that should still match the others.
/// </summary>
public static class Figure
{
    /// <summary>Distinguishable colours (Tableau 10), used in order for series.</summary>
    public static IReadOnlyList<Color> Palette { get; } =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
        Color.FromHex("#bcbd22"), Color.FromHex("#17becf"),
    ];

    /// <summary>A blank plot with the title, axis labels (put units in them, e.g. "epoch", "learning rate η") and type sizes of <paramref name="style"/>.</summary>
    public static Plot Create(string title, string xLabel, string yLabel, FigureStyle? style = null)
    {
        style ??= FigureStyle.Default;
        var plot = new Plot();
        plot.Font.Set(SansFamily.Value);
        plot.Title(title, style.TitleFontSize);
        plot.XLabel(xLabel, style.AxisLabelFontSize);
        plot.YLabel(yLabel, style.AxisLabelFontSize);
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
            axis.TickLabelStyle.FontSize = style.TickFontSize;
        plot.Legend.FontSize = style.LegendFontSize;
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.1);
        return plot;
    }

    /// <summary>Shows a legend outside the data area (so it never covers data) when it would list at least <paramref name="minimumItems"/> items.</summary>
    public static void ShowLegendIfSeveral(Plot plot, Edge edge = Edge.Right, int minimumItems = 2)
    {
        int items = plot.GetPlottables().SelectMany(p => p.LegendItems).Count(i => !string.IsNullOrEmpty(i.LabelText));
        if (items >= minimumItems) plot.ShowLegend(edge);
        else plot.HideLegend();
    }

    /// <summary>Renders <paramref name="plot"/> to <c>basePath.png</c> and <c>basePath.svg</c> at the style's size.</summary>
    public static SavedFigure Save(Plot plot, string basePath, FigureStyle? style = null)
    {
        style ??= FigureStyle.Default;
        var saved = new SavedFigure(basePath + ".png", basePath + ".svg");
        var png = plot.GetImageBytes(style.Width, style.Height, ImageFormat.Png);
        AtomicFile.Write(saved.PngPath, s => s.Write(png));
        var svg = plot.GetSvgXml(style.Width, style.Height);
        AtomicFile.Write(saved.SvgPath, s => s.Write(Encoding.UTF8.GetBytes(svg)));
        return saved;
    }

    // ScottPlot's default family resolves to a serif face on Linux machines without its preferred fonts;
    // DejaVu Sans is on most of them and has the Greek letters (α, β, η) our labels use.
    static readonly Lazy<string> SansFamily = new(() =>
        Fonts.GetTypeface("DejaVu Sans", bold: false, italic: false).FamilyName == "DejaVu Sans" ? "DejaVu Sans" : Fonts.Sans);

    /// <summary>Makes <paramref name="axis"/> label log10-transformed data with the values they stand for.</summary>
    public static void UseLogTicks(IAxis axis)
    {
        axis.TickGenerator = new LogTickGenerator();
    }
}
