using ScottPlot;

namespace LossLandscape.Reporting;

/// <summary>A labelled reference line across the data area: vertical at an x value or horizontal at a y value, in data units.</summary>
sealed record ReferenceLine(double Value, string Label, bool Vertical);

/// <summary>What line and scatter plots share: mapping data onto (possibly log10) axes and drawing reference lines.</summary>
static class XYLayers
{
    static readonly Color referenceColor = Color.FromHex("#444444");

    /// <summary>The points as plotted: log10 where an axis is logarithmic, dropping points that cannot be shown.</summary>
    public static (double[] X, double[] Y, int[] Kept) Map(IReadOnlyList<double> x, IReadOnlyList<double> y, AxisScale xScale, AxisScale yScale)
    {
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} points but y has {y.Count}");
        var xs = new List<double>(x.Count);
        var ys = new List<double>(y.Count);
        var kept = new List<int>(x.Count);
        for (int i = 0; i < x.Count; i++)
        {
            double px = Map(x[i], xScale), py = Map(y[i], yScale);
            if (!double.IsFinite(px) || !double.IsFinite(py)) continue;
            xs.Add(px);
            ys.Add(py);
            kept.Add(i);
        }
        return (xs.ToArray(), ys.ToArray(), kept.ToArray());
    }

    public static double Map(double value, AxisScale scale) =>
        scale == AxisScale.Log10 ? (value > 0 ? Math.Log10(value) : double.NaN) : value;

    public static void ApplyScales(Plot plot, AxisScale xScale, AxisScale yScale)
    {
        if (xScale == AxisScale.Log10) Figure.UseLogTicks(plot.Axes.Bottom);
        if (yScale == AxisScale.Log10) Figure.UseLogTicks(plot.Axes.Left);
    }

    public static void AddReferenceLines(Plot plot, IReadOnlyList<ReferenceLine> lines, AxisScale xScale, AxisScale yScale, FigureStyle style)
    {
        // Room for the labels between the data area and the title (top) or legend (right).
        float labelRoom = style.TickFontSize * 2.2f;
        if (lines.Any(l => l.Vertical)) plot.Axes.Top.MinimumSize = labelRoom;
        if (lines.Any(l => !l.Vertical)) plot.Axes.Right.MinimumSize = labelRoom;
        foreach (var line in lines)
        {
            double at = Map(line.Value, line.Vertical ? xScale : yScale);
            if (!double.IsFinite(at)) continue;
            ScottPlot.Plottables.AxisLine drawn = line.Vertical ? plot.Add.VerticalLine(at) : plot.Add.HorizontalLine(at);
            drawn.LineWidth = Math.Max(1, style.LineWidth * 0.75f);
            drawn.LinePattern = LinePattern.Dashed;
            drawn.Color = referenceColor;
            drawn.Text = line.Label;
            drawn.LabelFontSize = style.TickFontSize;
            // Labels sit on the top/right edge, away from the tick labels of the bottom/left axes.
            drawn.LabelOppositeAxis = true;
            drawn.ExcludeFromLegend = true;
        }
    }
}
