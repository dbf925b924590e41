using LossLandscape.Reporting;

namespace LossLandscape.Tests.Reporting;

public class LinePlotTests : IDisposable
{
    readonly FigureFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void SeveralSeriesWithReferenceLinesWritePngAndSvg()
    {
        var epochs = Enumerable.Range(1, 200).Select(e => (double)e).ToArray();
        var plot = new LinePlot("Training of ResNet-like CNN", "epoch", "cross-entropy loss") { YScale = AxisScale.Log10 }
            .Add("train", epochs, epochs.Select(e => 2.3 * Math.Exp(-e / 30) + (e > 150 ? 1e-3 : 1e-2)).ToArray())
            .Add("test", epochs, epochs.Select(e => 2.3 * Math.Exp(-e / 40) + 0.3).ToArray())
            .AddVerticalLine(150, "anneal")
            .AddHorizontalLine(0.5, "target");
        var saved = plot.Save(files.BasePath("line"));
        Assert.Equal(files.BasePath("line") + ".png", saved.PngPath);
        FigureFiles.AssertPng(saved.PngPath, 800, 600);
        var svg = FigureFiles.AssertSvg(saved.SvgPath);
        Assert.Contains("anneal", svg);
        Assert.Contains("train", svg);
        Assert.Empty(Directory.GetFiles(files.Folder, "*.tmp"));
    }

    [Fact]
    public void LogXWithMarkersAndCustomSize()
    {
        var widths = new[] { 1.0, 2, 4, 8, 16, 32, 64, 128, 256, 512 };
        var style = FigureStyle.Default with { Width = 640, Height = 480 };
        var saved = new LinePlot("Double descent", "width k (channels)", "test error", style) { XScale = AxisScale.Log10, Markers = true }
            .Add("test error", widths, widths.Select(k => 0.3 + 0.2 * Math.Exp(-Math.Pow(Math.Log(k / 16), 2))).ToArray())
            .AddVerticalLine(16, "interpolation threshold")
            .Save(files.BasePath("line-logx"));
        FigureFiles.AssertPng(saved.PngPath, 640, 480);
        FigureFiles.AssertSvg(saved.SvgPath);
    }

    [Fact]
    public void NonPositivePointsAreDroppedOnALogAxis()
    {
        var saved = new LinePlot("Spectrum", "eigenvalue", "density") { YScale = AxisScale.Log10 }
            .Add("density", [0.0, 1, 2, 3], [0.0, -1, 1e-3, 1])
            .Save(files.BasePath("line-nonpositive"));
        FigureFiles.AssertPng(saved.PngPath, 800, 600);
    }

    [Fact]
    public void MismatchedSeriesLengthsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new LinePlot("t", "x", "y").Add("s", [1.0, 2.0], [1.0]));
    }
}
