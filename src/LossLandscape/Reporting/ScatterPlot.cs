using ScottPlot;

namespace LossLandscape.Reporting;

/// <summary>
/// Groups of unconnected (x, y) points, one colour per group, optionally labelled point by point, e.g. a phase
/// plot of final loss against learning rate with one group per batch size.
/// <code>
/// new ScatterPlot("Phase plot", "learning rate η", "sharpness λmax") { XScale = AxisScale.Log10 }
///     .Add("batch 128", lr, sharpness).AddHorizontalLine(2 / eta, "2/η")
///     .Save("figures/phase");
/// </code>
/// </summary>
public sealed class ScatterPlot
{
    readonly List<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<string>? Labels)> groups = [];
    readonly List<ReferenceLine> referenceLines = [];

    public ScatterPlot(string title, string xLabel, string yLabel, FigureStyle? style = null)
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

    /// <summary>Adds a group of points; <paramref name="labels"/>, if given, writes a text beside each point.</summary>
    public ScatterPlot Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<string>? labels = null)
    {
        if (x.Count != y.Count) throw new ArgumentException($"group '{name}': x has {x.Count} points but y has {y.Count}");
        if (labels is not null && labels.Count != x.Count) throw new ArgumentException($"group '{name}': {labels.Count} labels for {x.Count} points");
        groups.Add((name, x, y, labels));
        return this;
    }

    /// <summary>A dashed vertical line at <paramref name="x"/> (data units) with a label.</summary>
    public ScatterPlot AddVerticalLine(double x, string label)
    {
        referenceLines.Add(new ReferenceLine(x, label, Vertical: true));
        return this;
    }

    /// <summary>A dashed horizontal line at <paramref name="y"/> (data units) with a label, e.g. "2/η".</summary>
    public ScatterPlot AddHorizontalLine(double y, string label)
    {
        referenceLines.Add(new ReferenceLine(y, label, Vertical: false));
        return this;
    }

    public Plot Build()
    {
        var plot = Figure.Create(Title, XLabel, YLabel, Style);
        for (int g = 0; g < groups.Count; g++)
        {
            var (name, x, y, labels) = groups[g];
            var (xs, ys, kept) = XYLayers.Map(x, y, XScale, YScale);
            var color = Figure.Palette[g % Figure.Palette.Count];
            var points = plot.Add.ScatterPoints(xs, ys, color);
            points.LegendText = name;
            points.MarkerSize = Style.MarkerSize * 1.5f;
            if (labels is null) continue;
            for (int i = 0; i < kept.Length; i++)
            {
                var text = plot.Add.Text(labels[kept[i]], xs[i], ys[i]);
                text.LabelFontSize = Style.TickFontSize;
                text.LabelFontColor = color;
                text.LabelAlignment = Alignment.LowerLeft;
                text.OffsetX = Style.MarkerSize;
                text.OffsetY = -Style.MarkerSize / 2;
            }
        }
        XYLayers.AddReferenceLines(plot, referenceLines, XScale, YScale, Style);
        XYLayers.ApplyScales(plot, XScale, YScale);
        Figure.ShowLegendIfSeveral(plot);
        return plot;
    }

    /// <summary>Writes <c>basePath.png</c> and <c>basePath.svg</c>.</summary>
    public SavedFigure Save(string basePath) => Figure.Save(Build(), basePath, Style);
}
