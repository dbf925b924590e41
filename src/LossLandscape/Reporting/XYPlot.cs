using ScottPlot;

namespace LossLandscape.Reporting;

/// <summary>
/// What line and scatter plots share: title, axis labels, style, linear or log axes, labelled reference lines,
/// and saving as PNG + SVG. <typeparamref name="TSelf"/> lets the fluent methods return the concrete plot.
/// </summary>
public abstract class XYPlot<TSelf> where TSelf : XYPlot<TSelf>
{
    readonly List<ReferenceLine> referenceLines = [];

    protected XYPlot(string title, string xLabel, string yLabel, FigureStyle? style)
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

    /// <summary>A dashed vertical line at <paramref name="x"/> (data units) labelled e.g. "anneal" or "interpolation threshold".</summary>
    public TSelf AddVerticalLine(double x, string label)
    {
        referenceLines.Add(new ReferenceLine(x, label, Vertical: true));
        return (TSelf)this;
    }

    /// <summary>A dashed horizontal line at <paramref name="y"/> (data units) labelled e.g. "2/η".</summary>
    public TSelf AddHorizontalLine(double y, string label)
    {
        referenceLines.Add(new ReferenceLine(y, label, Vertical: false));
        return (TSelf)this;
    }

    /// <summary>The ScottPlot figure, for adjustments before <see cref="Figure.Save"/>.</summary>
    public Plot Build()
    {
        var plot = Figure.Create(Title, XLabel, YLabel, Style);
        AddData(plot);
        XYLayers.AddReferenceLines(plot, referenceLines, XScale, YScale, Style);
        XYLayers.ApplyScales(plot, XScale, YScale);
        Figure.ShowLegendIfSeveral(plot);
        return plot;
    }

    /// <summary>Writes <c>basePath.png</c> and <c>basePath.svg</c>.</summary>
    public SavedFigure Save(string basePath) => Figure.Save(Build(), basePath, Style);

    /// <summary>Draws the data (mapped onto the axes' scales with <see cref="XYLayers.Map"/>).</summary>
    protected abstract void AddData(Plot plot);
}
