using LossLandscape.Ensembles;
using MathNet.Numerics.Distributions;

namespace LossLandscape.Tests.Ensembles;

public class PowerLawTests
{
    const double C = 1.2, B = 0.8, A = -0.7;
    static readonly double[] Sizes = Enumerable.Range(1, 16).Select(n => (double)n).ToArray();

    static double[] Noisy(double noise, Random random) =>
        Sizes.Select(n => C + B * Math.Pow(n, A) + Normal.Sample(random, 0, noise)).ToArray();

    [Fact]
    public void OffsetPowerLawRecoversKnownParametersAndItsIntervalsCoverThem()
    {
        var fit = OffsetPowerLaw.Fit(Sizes, Noisy(0.002, new Random(41)));
        Assert.InRange(fit.C.Value / C, 0.98, 1.02);
        Assert.InRange(fit.B.Value / B, 0.98, 1.02);
        Assert.InRange(fit.A.Value / A, 0.98, 1.02);
        Assert.InRange(C, fit.C.Lower, fit.C.Upper);
        Assert.InRange(B, fit.B.Lower, fit.B.Upper);
        Assert.InRange(A, fit.A.Lower, fit.A.Upper);
        Assert.True(fit.RSquared > 0.999);
        Assert.Equal(16, fit.Points);
        Assert.Equal(fit.C.Value + fit.B.Value * Math.Pow(5, fit.A.Value), fit.Predict(5), 14);
    }

    [Fact]
    public void ExactDataIsFitExactly()
    {
        var y = Sizes.Select(n => C + B * Math.Pow(n, A)).ToArray();
        var fit = OffsetPowerLaw.Fit(Sizes, y);
        Assert.Equal(C, fit.C.Value, 8);
        Assert.Equal(B, fit.B.Value, 8);
        Assert.Equal(A, fit.A.Value, 8);
        Assert.Equal(1.0, fit.RSquared, 12);
    }

    [Fact]
    public void NinetyFivePercentIntervalsCoverAboutNinetyFivePercentOfTheTime()
    {
        // 400 noisy data sets: each interval should miss the truth about 20 times (binomial sd about 4.4).
        var random = new Random(42);
        int[] covered = new int[3];
        const int trials = 400;
        for (int t = 0; t < trials; t++)
        {
            var fit = OffsetPowerLaw.Fit(Sizes, Noisy(0.005, random));
            if (fit.C.Lower <= C && C <= fit.C.Upper) covered[0]++;
            if (fit.B.Lower <= B && B <= fit.B.Upper) covered[1]++;
            if (fit.A.Lower <= A && A <= fit.A.Upper) covered[2]++;
        }
        Assert.All(covered, c => Assert.InRange((double)c / trials, 0.91, 0.985));
    }

    [Fact]
    public void UnitsOfXAndYDoNotChangeTheFit()
    {
        // y -> k y + m gives c -> k c + m, b -> k b; x -> l x gives b -> b l^-a; a and its error stay.
        var y = Noisy(0.003, new Random(43));
        var fit = OffsetPowerLaw.Fit(Sizes, y);
        const double k = 2e5, m = -7e4, l = 1e6;
        var moved = OffsetPowerLaw.Fit(Sizes.Select(v => l * v).ToArray(), y.Select(v => k * v + m).ToArray());
        Assert.Equal(fit.A.Value, moved.A.Value, 6);
        Assert.Equal(fit.A.StandardError, moved.A.StandardError, 6);
        Assert.Equal(1, (moved.C.Value - m) / k / fit.C.Value, 6);
        Assert.Equal(1, moved.B.Value / (k * fit.B.Value * Math.Pow(l, -fit.A.Value)), 6);
        Assert.Equal(1, moved.C.StandardError / (k * fit.C.StandardError), 4); // (b's error mixes in a's: b' = k b l^-a)
        Assert.Equal(fit.RSquared, moved.RSquared, 8);
    }

    [Fact]
    public void WeightsDecideWhichPointsCount()
    {
        var y = Sizes.Select(n => C + B * Math.Pow(n, A)).ToArray();
        y[3] += 0.3; // an outlier
        var weights = Sizes.Select(_ => 1.0).ToArray();
        weights[3] = 1e-9;
        var weighted = OffsetPowerLaw.Fit(Sizes, y, weights);
        Assert.Equal(A, weighted.A.Value, 5);
        Assert.Equal(C, weighted.C.Value, 5);
        var unweighted = OffsetPowerLaw.Fit(Sizes, y);
        Assert.True(Math.Abs(unweighted.A.Value - A) > 0.01);
    }

    [Fact]
    public void OffsetPowerLawRejectsWhatItCannotFit()
    {
        Assert.Throws<LandscapeException>(() => OffsetPowerLaw.Fit([1.0, 2, 3], [3.0, 2, 1.5]));
        Assert.Throws<LandscapeException>(() => OffsetPowerLaw.Fit([1.0, 2, 3, 4], [1.0, 1, 1, 1]));
        Assert.Throws<LandscapeException>(() => OffsetPowerLaw.Fit([0.0, 2, 3, 4], [3.0, 2, 1.5, 1.2]));
        Assert.Throws<LandscapeException>(() => OffsetPowerLaw.Fit([1.0, 2, 3, 4], [3.0, 2, 1.5, 1.2], [1.0, 0, 1, 1]));
    }

    [Fact]
    public void PlainPowerLawIsALogLogLine()
    {
        var x = new[] { 1e5, 4e5, 1.6e6, 6.4e6 };
        var fit = PowerLaw.Fit(x, x.Select(v => 3.0 * Math.Pow(v, -0.25)).ToArray());
        Assert.Equal(3.0, fit.B, 10);
        Assert.Equal(-0.25, fit.A, 12);
        Assert.Equal(1.0, fit.RSquared, 12);
        Assert.Equal(3.0 * Math.Pow(1e6, -0.25), fit.Predict(1e6), 12);

        // y = x^-1 * (1, 1.1, 1, 1.1): log y = -log x + (0, l, 0, l), l = log 1.1. With log x = 0, 1, 2, 3 (base e
        // after scaling x = e^j) the least-squares line has slope -1 + 0.2 l and the residual pattern gives
        // R^2 = 1 - SSE / SST computed below by hand.
        var ex = new[] { 1.0, Math.E, Math.E * Math.E, Math.Pow(Math.E, 3) };
        var ey = new[] { 1.0, 1.1 / Math.E, 1 / (Math.E * Math.E), 1.1 / Math.Pow(Math.E, 3) };
        var rough = PowerLaw.Fit(ex, ey);
        double l = Math.Log(1.1);
        Assert.Equal(-1 + 0.2 * l, rough.A, 12);
        // log y = (0, l - 1, -2, l - 3); fitted intercept = mean(log y) - slope * 1.5.
        double[] logY = [0, l - 1, -2, l - 3];
        double intercept = logY.Average() - rough.A * 1.5;
        Assert.Equal(Math.Exp(intercept), rough.B, 12);
        double sse = Enumerable.Range(0, 4).Sum(j => Math.Pow(logY[j] - (intercept + rough.A * j), 2));
        double sst = logY.Sum(v => Math.Pow(v - logY.Average(), 2));
        Assert.Equal(1 - sse / sst, rough.RSquared, 12);
    }
}
