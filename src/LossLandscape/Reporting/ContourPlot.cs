using LossLandscape.Runs;
using ScottPlot;

namespace LossLandscape.Reporting;

/// <summary>
/// A 2-D scalar field <c>z[iy, ix]</c> on grid vectors (alpha, beta) as a heat map with contour lines and a
/// colour bar, with optional overlays: trajectories (polyline with points, e.g. PCA-projected checkpoints),
/// curves (polyline only, e.g. a Bezier path between minima), point clouds (markers only, e.g. a sampler's samples)
/// and labelled points ("w1", "bend", "w2").
/// <code>
/// new ContourPlot("Loss surface", alpha, beta, loss) { LogValues = true, ValueLabel = "train loss" }
///     .AddTrajectory("SGD", pcX, pcY).AddPoint("w1", 0, 0)
///     .Save("figures/surface");
/// </code>
/// The grid must be evenly spaced and increasing, as GridFile's surfaces are; NaN cells are left blank.
/// </summary>
public sealed class ContourPlot
{
    static readonly Color[] overlayColors =
        [Color.FromHex("#d62728"), Color.FromHex("#ff7f0e"), Colors.White, Color.FromHex("#e377c2"), Color.FromHex("#17becf")];

    readonly List<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Markers, bool Connected)> lines = [];
    readonly List<(string Label, double X, double Y)> points = [];

    public ContourPlot(string title, IReadOnlyList<double> alpha, IReadOnlyList<double> beta, double[,] z, FigureStyle? style = null)
    {
        ContourLines.CheckGrid(alpha, beta, z);
        if (alpha.Count < 2 || beta.Count < 2) throw new ArgumentException("a contour plot needs at least 2 grid points along each axis");
        CheckEvenlySpaced(alpha, "alpha");
        CheckEvenlySpaced(beta, "beta");
        Title = title;
        Alpha = alpha;
        Beta = beta;
        Z = z;
        Style = style ?? FigureStyle.Default;
    }

    /// <summary>A field of a surface read or written by <see cref="GridFile"/>.</summary>
    public static ContourPlot From(Surface surface, string field, string title, FigureStyle? style = null) =>
        new(title, surface.Alpha, surface.Beta, surface[field].Z, style) { ValueLabel = field };

    public string Title { get; }
    public IReadOnlyList<double> Alpha { get; }
    public IReadOnlyList<double> Beta { get; }
    public double[,] Z { get; }
    public FigureStyle Style { get; }
    public string XLabel { get; init; } = "α";
    public string YLabel { get; init; } = "β";

    /// <summary>What z is, shown beside the colour bar (e.g. "train loss").</summary>
    public string ValueLabel { get; init; } = "loss";

    /// <summary>Colour and contour by log10(z) (non-positive z left blank), with the colour bar labelled in z; suits losses spanning decades.</summary>
    public bool LogValues { get; init; }

    /// <summary>How many evenly spaced contour levels to draw (in log10 z when <see cref="LogValues"/>); ignored when <see cref="Levels"/> is set.</summary>
    public int LevelCount { get; init; } = 12;

    /// <summary>Explicit contour levels in units of z.</summary>
    public IReadOnlyList<double>? Levels { get; init; }

    /// <summary>A polyline with a marker at each point, e.g. checkpoints projected onto the plane; its first point is drawn larger.</summary>
    public ContourPlot AddTrajectory(string name, IReadOnlyList<double> x, IReadOnlyList<double> y) => AddLine(name, x, y, markers: true);

    /// <summary>A polyline without markers, e.g. a curve connecting two minima.</summary>
    public ContourPlot AddCurve(string name, IReadOnlyList<double> x, IReadOnlyList<double> y) => AddLine(name, x, y, markers: false);

    /// <summary>Unconnected small markers, e.g. samples drawn over a density.</summary>
    public ContourPlot AddPoints(string name, IReadOnlyList<double> x, IReadOnlyList<double> y) => AddLine(name, x, y, markers: true, connected: false);

    /// <summary>A marked, labelled point such as "w1" or "bend".</summary>
    public ContourPlot AddPoint(string label, double x, double y)
    {
        points.Add((label, x, y));
        return this;
    }

    /// <summary>The field as plotted: z, or log10 z with non-positive values as NaN.</summary>
    public double[,] PlottedValues()
    {
        var shown = (double[,])Z.Clone();
        if (LogValues)
            for (int iy = 0; iy < shown.GetLength(0); iy++)
                for (int ix = 0; ix < shown.GetLength(1); ix++)
                    shown[iy, ix] = XYLayers.Map(shown[iy, ix], AxisScale.Log10);
        return shown;
    }

    /// <summary>The contour lines drawn, at levels in units of z.</summary>
    public IReadOnlyList<ContourLevel> ContourLevels()
    {
        var shown = PlottedValues();
        var scale = LogValues ? AxisScale.Log10 : AxisScale.Linear;
        // Pairs of (level in z, level as plotted), so explicit levels come back exactly as given.
        var levels = Levels?.Select(l => (Z: l, Shown: XYLayers.Map(l, scale))).Where(l => double.IsFinite(l.Shown)).ToList()
            ?? ContourLines.EvenLevels(shown, LevelCount).Select(l => (Z: LogValues ? Math.Pow(10, l) : l, Shown: l)).ToList();
        return levels.Select(l => ContourLines.Trace(Alpha, Beta, shown, l.Shown) with { Level = l.Z }).ToList();
    }

    public Plot Build()
    {
        var plot = Figure.Create(Title, XLabel, YLabel, Style);
        var shown = PlottedValues();
        // ScottPlot draws row 0 of a heat map at the top; our row 0 is the smallest beta, so flip it.
        var heatmap = plot.Add.Heatmap(shown);
        heatmap.FlipVertically = true;
        double dx = (Alpha[^1] - Alpha[0]) / (Alpha.Count - 1), dy = (Beta[^1] - Beta[0]) / (Beta.Count - 1);
        var extent = new CoordinateRect(Alpha[0] - dx / 2, Alpha[^1] + dx / 2, Beta[0] - dy / 2, Beta[^1] + dy / 2);
        heatmap.Extent = extent;
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.NaNCellColor = Colors.Transparent;

        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = ValueLabel;
        colorBar.LabelStyle.FontSize = Style.AxisLabelFontSize;
        colorBar.Axis.TickLabelStyle.FontSize = Style.TickFontSize;
        if (LogValues) Figure.UseLogTicks(colorBar.Axis);

        foreach (var level in ContourLevels())
            foreach (var polyline in level.Polylines)
            {
                var contour = plot.Add.ScatterLine(polyline.Select(p => p.X).ToArray(), polyline.Select(p => p.Y).ToArray(), Colors.Black.WithAlpha(0.45));
                contour.LineWidth = 1;
            }

        var limits = (Left: extent.Left, Right: extent.Right, Bottom: extent.Bottom, Top: extent.Top);
        for (int i = 0; i < lines.Count; i++)
        {
            var (name, x, y, markers, connected) = lines[i];
            var color = overlayColors[i % overlayColors.Length];
            var drawn = plot.Add.Scatter(x.ToArray(), y.ToArray(), color);
            drawn.LegendText = name;
            drawn.LineWidth = connected ? Style.LineWidth : 0;
            drawn.MarkerSize = markers ? (connected ? Style.MarkerSize : Style.MarkerSize / 2) : 0;
            if (markers && connected && x.Count > 0)
            {
                var start = plot.Add.Marker(x[0], y[0], MarkerShape.FilledCircle, Style.MarkerSize * 2, color);
                start.LegendText = "";
            }
            limits = Include(limits, x, y);
        }
        foreach (var (label, x, y) in points)
        {
            plot.Add.Marker(x, y, MarkerShape.FilledDiamond, Style.MarkerSize * 2, Colors.Black);
            var text = plot.Add.Text(label, x, y);
            text.LabelFontSize = Style.LegendFontSize;
            text.LabelBold = true;
            text.LabelFontColor = Colors.Black;
            text.LabelBackgroundColor = Colors.White.WithAlpha(0.75);
            text.OffsetX = Style.MarkerSize;
            text.OffsetY = -Style.MarkerSize;
            text.LabelAlignment = Alignment.LowerLeft;
            limits = Include(limits, [x], [y]);
        }
        plot.Axes.SetLimits(limits.Left, limits.Right, limits.Bottom, limits.Top);
        // The colour bar takes the right edge, so a legend (trajectories and curves only) goes below.
        Figure.ShowLegendIfSeveral(plot, Edge.Bottom, minimumItems: 1);
        return plot;
    }

    /// <summary>Writes <c>basePath.png</c> and <c>basePath.svg</c>.</summary>
    public SavedFigure Save(string basePath) => Figure.Save(Build(), basePath, Style);

    ContourPlot AddLine(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, bool markers, bool connected = true)
    {
        if (x.Count != y.Count) throw new ArgumentException($"'{name}': x has {x.Count} points but y has {y.Count}");
        lines.Add((name, x, y, markers, connected));
        return this;
    }

    static (double Left, double Right, double Bottom, double Top) Include((double Left, double Right, double Bottom, double Top) limits, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        foreach (var v in x.Where(double.IsFinite)) limits = (Math.Min(limits.Left, v), Math.Max(limits.Right, v), limits.Bottom, limits.Top);
        foreach (var v in y.Where(double.IsFinite)) limits = (limits.Left, limits.Right, Math.Min(limits.Bottom, v), Math.Max(limits.Top, v));
        return limits;
    }

    static void CheckEvenlySpaced(IReadOnlyList<double> grid, string name)
    {
        double step = (grid[^1] - grid[0]) / (grid.Count - 1);
        for (int i = 1; i < grid.Count; i++)
            if (Math.Abs(grid[i] - grid[i - 1] - step) > 1e-6 * Math.Abs(step))
                throw new ArgumentException($"{name} grid must be evenly spaced for a heat map (step {i} is {grid[i] - grid[i - 1]}, expected {step})");
    }
}
