using ScottPlot;

namespace LossLandscape.Reporting;

/// <summary>
/// Named series of (x, y) points as lines, e.g. loss against epoch for several runs, with optional log axes,
/// markers, and labelled reference lines ("anneal" at an epoch, "2/η" as a sharpness bound).
/// <code>
/// new LinePlot("Training", "epoch", "loss") { YScale = AxisScale.Log10 }
///     .Add("train", epochs, trainLoss).Add("test", epochs, testLoss)
///     .AddVerticalLine(150, "anneal")
///     .Save("figures/loss");   // figures/loss.png and figures/loss.svg
/// </code>
/// </summary>
public sealed class LinePlot : XYPlot<LinePlot>
{
    readonly List<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, int? Color, bool MarkersOnly)> series = [];

    public LinePlot(string title, string xLabel, string yLabel, FigureStyle? style = null) : base(title, xLabel, yLabel, style) { }

    /// <summary>Draws a marker at every point as well as the line (for sparse series such as per-run summaries).</summary>
    public bool Markers { get; init; }

    /// <summary>Adds a series; on a log axis its non-positive points are left out.</summary>
    public LinePlot Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y) => Add(name, x, y, null);

    /// <summary>
    /// Adds a series with a chosen palette colour (so measured points and their fit share one), or as markers only
    /// (measurements beside a fitted curve). A null or empty name keeps it out of the legend. (No dashed lines:
    /// SkiaSharp's SVG canvas cannot draw path effects and prints a warning for each.)
    /// </summary>
    public LinePlot Add(string? name, IReadOnlyList<double> x, IReadOnlyList<double> y, int? color, bool markersOnly = false)
    {
        if (x.Count != y.Count) throw new ArgumentException($"series '{name}': x has {x.Count} points but y has {y.Count}");
        series.Add((name ?? "", x, y, color, markersOnly));
        return this;
    }

    protected override void AddData(Plot plot)
    {
        for (int i = 0; i < series.Count; i++)
        {
            var (name, x, y, color, markersOnly) = series[i];
            var (xs, ys, _) = XYLayers.Map(x, y, XScale, YScale);
            var line = plot.Add.Scatter(xs, ys, Figure.Palette[(color ?? i) % Figure.Palette.Count]);
            line.LegendText = name;
            line.LineWidth = markersOnly ? 0 : Style.LineWidth;
            line.MarkerSize = Markers || markersOnly ? Style.MarkerSize * (markersOnly ? 1.5f : 1f) : 0;
        }
    }
}
