using LossLandscape.Reporting;

namespace LossLandscape.Tests.Reporting;

public class LogTicksTests
{
    static string[] MajorLabels(double min, double max, int maxMajor = 8) =>
        LogTicks.Between(min, max, maxMajor).Where(t => t.IsMajor).Select(t => t.Label).ToArray();

    [Fact]
    public void DecadesAreLabelledWithTheirValues()
    {
        // log10 range 0.004 .. 2.5
        Assert.Equal(new[] { "0.01", "0.1", "1" }, MajorLabels(Math.Log10(0.004), Math.Log10(2.5)));
        Assert.Equal(new[] { "1e-6", "1e-5", "1e-4", "0.001" }, MajorLabels(-6, -3));
        Assert.Equal(new[] { "1000", "10000", "1e5" }, MajorLabels(3, 5));
    }

    [Fact]
    public void MinorTicksSitAtMultiplesWithinEachDecade()
    {
        var ticks = LogTicks.Between(0, 1);
        var minor = ticks.Where(t => !t.IsMajor).Select(t => t.Position).ToArray();
        Assert.Equal(Enumerable.Range(2, 8).Where(m => m is not (2 or 5)).Select(m => Math.Log10(m)), minor);
        Assert.All(ticks.Where(t => !t.IsMajor), t => Assert.Equal("", t.Label));
    }

    [Fact]
    public void NarrowRangesLabelMoreMultiples()
    {
        Assert.Equal(new[] { "1", "2", "5", "10" }, MajorLabels(0, 1));
        Assert.Equal(new[] { "0.2", "0.3", "0.4", "0.5" }, MajorLabels(Math.Log10(0.15), Math.Log10(0.55)));
    }

    [Fact]
    public void WideRangesSkipDecadesAndMinorTicks()
    {
        var ticks = LogTicks.Between(-20, 0, maxMajorTicks: 5);
        Assert.Equal(new[] { "1e-20", "1e-15", "1e-10", "1e-5", "1" }, ticks.Where(t => t.IsMajor).Select(t => t.Label));
        Assert.All(ticks, t => Assert.Equal(Math.Round(t.Position), t.Position));
    }

    [Fact]
    public void LabelFormatsMantissaAndExponent()
    {
        Assert.Equal("0.005", LogTicks.Label(5, -3));
        Assert.Equal("5e-4", LogTicks.Label(5, -4));
        Assert.Equal("30000", LogTicks.Label(3, 4));
        Assert.Equal("3e5", LogTicks.Label(3, 5));
        Assert.Equal("1", LogTicks.Label(1, 0));
    }
}
