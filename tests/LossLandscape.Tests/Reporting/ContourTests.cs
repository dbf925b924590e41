using LossLandscape.Reporting;
using LossLandscape.Runs;

namespace LossLandscape.Tests.Reporting;

public class ContourTests : IDisposable
{
    readonly FigureFiles files = new();

    public void Dispose() => files.Dispose();

    static double[] Linspace(double a, double b, int n) => Enumerable.Range(0, n).Select(i => a + (b - a) * i / (n - 1)).ToArray();

    static double[,] Field(double[] x, double[] y, Func<double, double, double> f)
    {
        var z = new double[y.Length, x.Length];
        for (int iy = 0; iy < y.Length; iy++)
            for (int ix = 0; ix < x.Length; ix++) z[iy, ix] = f(x[ix], y[iy]);
        return z;
    }

    [Fact]
    public void FieldLinearAlongEdgesGivesExactContourPoints()
    {
        // |x| + |y| is linear along every cell edge (the axes are grid lines), so interpolation is exact.
        var x = Linspace(-2, 2, 17);
        var y = Linspace(-2, 2, 17);
        var segments = ContourLines.Segments(x, y, Field(x, y, (a, b) => Math.Abs(a) + Math.Abs(b)), 1.1);
        Assert.NotEmpty(segments);
        foreach (var s in segments)
        {
            Assert.Equal(1.1, Math.Abs(s.X1) + Math.Abs(s.Y1), 12);
            Assert.Equal(1.1, Math.Abs(s.X2) + Math.Abs(s.Y2), 12);
        }
    }

    [Fact]
    public void CircleContourHasEndpointsOnGridLinesAtTheRightRadiusAndCloses()
    {
        var x = Linspace(-1, 1, 41);
        var y = Linspace(-1, 1, 41);
        const double radius = 0.6;
        var z = Field(x, y, (a, b) => a * a + b * b);
        var segments = ContourLines.Segments(x, y, z, radius * radius);
        Assert.InRange(segments.Count, 40, 200);
        double h = x[1] - x[0];
        foreach (var s in segments)
            foreach (var (px, py) in new[] { (s.X1, s.Y1), (s.X2, s.Y2) })
            {
                Assert.True(x.Contains(px) || y.Contains(py), $"({px}, {py}) is not on a grid line");
                // Linear interpolation of a quadratic along an edge of length h errs by at most h^2/4 in z.
                Assert.InRange(Math.Sqrt(px * px + py * py), radius - h * h / (4 * radius), radius + 1e-12);
            }

        var polylines = ContourLines.Join(segments);
        var loop = Assert.Single(polylines);
        Assert.Equal(loop[0], loop[^1]);
        Assert.Equal(segments.Count + 1, loop.Count);
    }

    [Fact]
    public void SaddleAndNaNCellsAreHandled()
    {
        double[] x = [0, 1], y = [0, 1];
        // Corners 0 and 2 high, 1 and 3 low; centre on the level counts as high -> high corners joined, lines cut off corners 1 and 3.
        var saddle = new double[,] { { 1, 0 }, { 0, 1 } };
        var segments = ContourLines.Segments(x, y, saddle, 0.5);
        Assert.Equal(2, segments.Count);
        Assert.Contains(new ContourSegment(0.5, 0, 1, 0.5), segments);
        Assert.Contains(new ContourSegment(0.5, 1, 0, 0.5), segments);

        var withNaN = new double[,] { { double.NaN, 0 }, { 0, 1 } };
        Assert.Empty(ContourLines.Segments(x, y, withNaN, 0.5));
    }

    [Fact]
    public void LogValuesLevelsAreInUnitsOfZ()
    {
        var x = Linspace(-1, 1, 21);
        var y = Linspace(-1, 1, 11);
        var plot = new ContourPlot("t", x, y, Field(x, y, (a, b) => Math.Pow(10, a + b)))
        {
            LogValues = true,
            Levels = [0.1, 1, 10],
        };
        var levels = plot.ContourLevels();
        Assert.Equal(new[] { 0.1, 1, 10 }, levels.Select(l => l.Level));
        // log10 z = a + b is linear, so the level-1 contour is exactly the anti-diagonal a + b = 0.
        foreach (var p in levels[1].Polylines.SelectMany(l => l))
            Assert.Equal(0, p.X + p.Y, 12);
    }

    [Fact]
    public void ContourPlotWithOverlaysWritesPngAndSvg()
    {
        var alpha = Linspace(-1, 1.5, 51);
        var beta = Linspace(-1, 1, 41);
        // Two basins (at alpha = 0 and 1) joined by a curved valley, loss spanning decades.
        var z = Field(alpha, beta, (a, b) => 0.01 + Math.Pow(a * (a - 1), 2) * 4 + Math.Pow(b - 0.6 * Math.Sin(Math.PI * a), 2) * 3);
        var surface = new Surface(alpha, beta, [new SurfaceValues("train loss", z)]);
        var t = Linspace(0, 1, 20);
        var saved = ContourPlot.From(surface, "train loss", "Loss surface, plane of w1, bend, w2")
            .AddTrajectory("SGD checkpoints", t.Select(s => -0.8 + 0.8 * s).ToArray(), t.Select(s => 0.9 - 0.9 * Math.Sqrt(s)).ToArray())
            .AddCurve("Bezier path", t.Select(s => s).ToArray(), t.Select(s => 0.6 * Math.Sin(Math.PI * s)).ToArray())
            .AddPoint("w1", 0, 0).AddPoint("bend", 0.5, 0.6).AddPoint("w2", 1, 0)
            .Save(files.BasePath("contour"));
        FigureFiles.AssertPng(saved.PngPath, 800, 600);
        var svg = FigureFiles.AssertSvg(saved.SvgPath);
        Assert.Contains("bend", svg);
    }

    [Fact]
    public void LogContourPlotWritesPngAndSvg()
    {
        var alpha = Linspace(-1, 1, 31);
        var beta = Linspace(-1, 1, 31);
        var plot = new ContourPlot("log loss", alpha, beta, Field(alpha, beta, (a, b) => 1e-3 + a * a + 10 * b * b))
        {
            LogValues = true,
            ValueLabel = "test loss",
        };
        var saved = plot.Save(files.BasePath("contour-log"));
        FigureFiles.AssertPng(saved.PngPath, 800, 600);
        FigureFiles.AssertSvg(saved.SvgPath);
    }

    [Fact]
    public void UnevenOrMismatchedGridsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new ContourPlot("t", [0.0, 1, 3], [0.0, 1], new double[2, 3]));
        Assert.Throws<ArgumentException>(() => new ContourPlot("t", [0.0, 1], [0.0, 1], new double[3, 2]));
    }
}
