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
public sealed class ScatterPlot : XYPlot<ScatterPlot>
{
    readonly List<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<string>? Labels)> groups = [];

    public ScatterPlot(string title, string xLabel, string yLabel, FigureStyle? style = null) : base(title, xLabel, yLabel, style) { }

    /// <summary>Adds a group of points; <paramref name="labels"/>, if given, writes a text beside each point.</summary>
    public ScatterPlot Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<string>? labels = null)
    {
        if (x.Count != y.Count) throw new ArgumentException($"group '{name}': x has {x.Count} points but y has {y.Count}");
        if (labels is not null && labels.Count != x.Count) throw new ArgumentException($"group '{name}': {labels.Count} labels for {x.Count} points");
        groups.Add((name, x, y, labels));
        return this;
    }

    protected override void AddData(Plot plot)
    {
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
    }
}
