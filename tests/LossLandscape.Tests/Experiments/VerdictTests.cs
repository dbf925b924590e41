using LossLandscape.Experiments;

namespace LossLandscape.Tests.Experiments;

public class VerdictTests
{
    [Theory]
    [InlineData(new[] { 0.05, 0.06, 0.055 }, VerdictKind.Reproduced)]   // right sign, far beyond 2 sd
    [InlineData(new[] { 0.05, -0.01, 0.02 }, VerdictKind.Partly)]       // right sign, within noise
    [InlineData(new[] { -0.05, -0.06, 0.01 }, VerdictKind.NotReproduced)] // wrong sign
    [InlineData(new[] { 0.0, 0.0, 0.0 }, VerdictKind.NotReproduced)]      // no effect
    [InlineData(new[] { 0.3 }, VerdictKind.Partly)]                       // one seed cannot exceed 2 sd
    [InlineData(new[] { 0.3, double.NaN, 0.4 }, VerdictKind.NotReproduced)] // an effect that could not be measured
    public void TheRuleFlipsWithTheNumbers(double[] effects, VerdictKind expected)
    {
        var v = Verdict.Of("claim", effects);
        Assert.Equal(expected, v.Kind);
        Assert.Equal(effects.Average(), v.Mean, 12);   // NaN equals NaN here
    }

    [Fact]
    public void ReproducedNeedsTheMeanAboveTwoStandardDeviations()
    {
        // mean 2, sd 1 (exact in floating point): exactly 2 sd is not enough; a little more is.
        Assert.Equal(VerdictKind.Partly, Verdict.Of("c", new[] { 1.0, 2.0, 3.0 }).Kind);
        Assert.Equal(VerdictKind.Reproduced, Verdict.Of("c", new[] { 1.1, 2.0, 3.0 }).Kind);
    }
}
