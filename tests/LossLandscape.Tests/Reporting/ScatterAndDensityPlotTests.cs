using LossLandscape.Reporting;

namespace LossLandscape.Tests.Reporting;

public class ScatterAndDensityPlotTests : IDisposable
{
    readonly FigureFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void DensityPlotOnLogYShowsDecadeLabels()
    {
        var lambda = Enumerable.Range(0, 400).Select(i => -5 + 105.0 * i / 399).ToArray();
        // A bulk near zero and an outlier at 80, each Gaussian-broadened: densities from ~1 down to 1e-9.
        var density = lambda.Select(l => 0.8 * Math.Exp(-l * l / 2) + 1e-3 * Math.Exp(-Math.Pow(l - 80, 2) / 8) + 1e-9).ToArray();
        var saved = DensityPlot.Create("Hessian spectrum at epoch 10", lambda, density)
            .Save(files.BasePath("density"));
        FigureFiles.AssertPng(saved.PngPath, 800, 600);
        FigureFiles.AssertSvg(saved.SvgPath);
        var texts = FigureFiles.SvgTexts(saved.SvgPath);
        Assert.Contains("1e-6", texts);
        Assert.Contains("0.01", texts);
        Assert.Contains("1e-8", texts);
        Assert.DoesNotContain("-6", texts);
    }

    [Fact]
    public void ScatterPlotWithGroupsLabelsAndLogX()
    {
        var lr = new[] { 0.01, 0.03, 0.1, 0.3, 1.0 };
        var saved = new ScatterPlot("Phase plot", "learning rate η", "sharpness λmax") { XScale = AxisScale.Log10 }
            .Add("batch 128", lr, [150, 60, 19, 6.5, 2.1], ["a", "b", "c", "d", "e"])
            .Add("batch 512", lr, [170, 64, 20, 6.8, -1])
            .AddHorizontalLine(20, "2/η at η = 0.1")
            .Save(files.BasePath("scatter"));
        FigureFiles.AssertPng(saved.PngPath, 800, 600);
        FigureFiles.AssertSvg(saved.SvgPath);
        var texts = FigureFiles.SvgTexts(saved.SvgPath);
        Assert.Contains("batch 512", texts);
        Assert.Contains("0.1", texts);
        Assert.Contains("c", texts);
    }

    [Fact]
    public void ScatterLabelsMustMatchThePoints()
    {
        Assert.Throws<ArgumentException>(() => new ScatterPlot("t", "x", "y").Add("g", [1.0, 2.0], [1.0, 2.0], ["only one"]));
    }
}
