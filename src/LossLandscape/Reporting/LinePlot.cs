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
    readonly List<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)> series = [];

    public LinePlot(string title, string xLabel, string yLabel, FigureStyle? style = null) : base(title, xLabel, yLabel, style) { }

    /// <summary>Draws a marker at every point as well as the line (for sparse series such as per-run summaries).</summary>
    public bool Markers { get; init; }

    /// <summary>Adds a series; on a log axis its non-positive points are left out.</summary>
    public LinePlot Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"series '{name}': x has {x.Count} points but y has {y.Count}");
        series.Add((name, x, y));
        return this;
    }

    protected override void AddData(Plot plot)
    {
        for (int i = 0; i < series.Count; i++)
        {
            var (name, x, y) = series[i];
            var (xs, ys, _) = XYLayers.Map(x, y, XScale, YScale);
            var line = plot.Add.Scatter(xs, ys, Figure.Palette[i % Figure.Palette.Count]);
            line.LegendText = name;
            line.LineWidth = Style.LineWidth;
            line.MarkerSize = Markers ? Style.MarkerSize : 0;
        }
    }
}
