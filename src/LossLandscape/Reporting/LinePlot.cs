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
public sealed class LinePlot
{
    readonly List<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)> series = [];
    readonly List<ReferenceLine> referenceLines = [];

    public LinePlot(string title, string xLabel, string yLabel, FigureStyle? style = null)
    {
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
        Style = style ?? FigureStyle.Default;
    }

    public string Title { get; }
    public string XLabel { get; }
    public string YLabel { get; }
    public FigureStyle Style { get; }
    public AxisScale XScale { get; init; } = AxisScale.Linear;
    public AxisScale YScale { get; init; } = AxisScale.Linear;

    /// <summary>Draws a marker at every point as well as the line (for sparse series such as per-run summaries).</summary>
    public bool Markers { get; init; }

    /// <summary>Adds a series; on a log axis its non-positive points are left out.</summary>
    public LinePlot Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"series '{name}': x has {x.Count} points but y has {y.Count}");
        series.Add((name, x, y));
        return this;
    }

    /// <summary>A dashed vertical line at <paramref name="x"/> (data units) labelled e.g. "anneal" or "interpolation threshold".</summary>
    public LinePlot AddVerticalLine(double x, string label)
    {
        referenceLines.Add(new ReferenceLine(x, label, Vertical: true));
        return this;
    }

    /// <summary>A dashed horizontal line at <paramref name="y"/> (data units) labelled e.g. "2/η".</summary>
    public LinePlot AddHorizontalLine(double y, string label)
    {
        referenceLines.Add(new ReferenceLine(y, label, Vertical: false));
        return this;
    }

    /// <summary>The ScottPlot figure, for adjustments before <see cref="Figure.Save"/>.</summary>
    public Plot Build()
    {
        var plot = Figure.Create(Title, XLabel, YLabel, Style);
        for (int i = 0; i < series.Count; i++)
        {
            var (name, x, y) = series[i];
            var (xs, ys, _) = XYLayers.Map(x, y, XScale, YScale);
            var line = plot.Add.Scatter(xs, ys, Figure.Palette[i % Figure.Palette.Count]);
            line.LegendText = name;
            line.LineWidth = Style.LineWidth;
            line.MarkerSize = Markers ? Style.MarkerSize : 0;
        }
        XYLayers.AddReferenceLines(plot, referenceLines, XScale, YScale, Style);
        XYLayers.ApplyScales(plot, XScale, YScale);
        Figure.ShowLegendIfSeveral(plot);
        return plot;
    }

    /// <summary>Writes <c>basePath.png</c> and <c>basePath.svg</c>.</summary>
    public SavedFigure Save(string basePath) => Figure.Save(Build(), basePath, Style);
}
