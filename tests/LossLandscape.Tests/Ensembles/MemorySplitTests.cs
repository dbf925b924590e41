using LossLandscape.Ensembles;

namespace LossLandscape.Tests.Ensembles;

public class MemorySplitTests
{
    static OffsetPowerLaw Law(double c, double b, double a) =>
        new(new ParameterEstimate(c, 0, c, c), new ParameterEstimate(b, 0, b, b), new ParameterEstimate(a, 0, a, a), 1, 0);

    // Width 1: 100 parameters, CNLL(n) = 1.00 + 1.0 n^-0.5
    // Width 2: 400 parameters, CNLL(n) = 0.80 + 0.6 n^-0.5
    // Width 4: 1600 parameters, CNLL(n) = 0.68 + 0.5 n^-0.5
    static readonly WidthCurve[] Curves =
    [
        WidthCurve.Predicted(1, 100, Law(1.00, 1.0, -0.5)),
        WidthCurve.Predicted(2, 400, Law(0.80, 0.6, -0.5)),
        WidthCurve.Predicted(4, 1600, Law(0.68, 0.5, -0.5)),
    ];

    [Fact]
    public void BudgetBuysFloorOfBudgetOverParameters()
    {
        Assert.Equal(3, MemorySplit.Members(1599, 400));
        Assert.Equal(4, MemorySplit.Members(1600, 400));
        Assert.Equal(0, MemorySplit.Members(99, 100));
    }

    [Fact]
    public void BestSplitIsTheHandComputedOne()
    {
        // Budget 800:  n = 8, 2, 0 -> 1 + 1/sqrt 8 = 1.3536; 0.8 + 0.6/sqrt 2 = 1.2243; width 4 does not fit -> (2, 2)
        // Budget 1600: n = 16, 4, 1 -> 1 + 1/4 = 1.25;      0.8 + 0.6/2 = 1.10;         0.68 + 0.5 = 1.18  -> (2, 4)
        // Budget 6400: n = 64, 16, 4 -> 1 + 1/8 = 1.125;    0.8 + 0.6/4 = 0.95;         0.68 + 0.5/2 = 0.93 -> (4, 4)
        // Budget 50: no width fits.
        var envelope = MemorySplit.LowerEnvelope([50, 800, 1600, 6400], Curves);
        Assert.Equal([800L, 1600, 6400], envelope.Select(c => c.Budget));
        Assert.Equal([2.0, 2, 4], envelope.Select(c => c.Width));
        Assert.Equal([2, 4, 4], envelope.Select(c => c.Members));
        Assert.Equal(0.8 + 0.6 / Math.Sqrt(2), envelope[0].Cnll, 14);
        Assert.Equal(1.10, envelope[1].Cnll, 14);
        Assert.Equal(0.93, envelope[2].Cnll, 14);
        Assert.Null(MemorySplit.Best(50, Curves));
    }

    [Fact]
    public void MeasuredCurvesOnlyCountWhereMeasured()
    {
        // Width 2 was measured at n = 1, 2, 4 only; at budget 1200 it would need n = 3, so width 1 (n = 12) wins.
        var measured = new[]
        {
            WidthCurve.Measured(1, 100, new Dictionary<int, double> { [12] = 1.3, [16] = 1.25 }),
            WidthCurve.Measured(2, 400, new Dictionary<int, double> { [1] = 1.4, [2] = 1.2, [4] = 1.1 }),
        };
        Assert.Equal(new MemorySplitChoice(1200, 1, 12, 1.3), MemorySplit.Best(1200, measured));
        Assert.Equal(new MemorySplitChoice(1600, 2, 4, 1.1), MemorySplit.Best(1600, measured));
    }
}
