using LossLandscape.Experiments;

namespace LossLandscape.Tests.Experiments;

public class NormPeriodsTests
{
    /// <summary>Teeth of the given lengths: each decays exponentially from 1 to <paramref name="floor"/>, then jumps back to 1.</summary>
    static List<double> Sawtooth(IEnumerable<int> lengths, double floor = 0.5)
    {
        var values = new List<double>();
        foreach (var length in lengths)
            for (int t = 0; t < length; t++) values.Add(Math.Pow(floor, t / (double)(length - 1)));
        return values;
    }

    [Theory]
    [InlineData(5, 40)]
    [InlineData(3, 17)]
    [InlineData(10, 8)]
    public void EqualTeethGiveOnePeriodPerRise(int teeth, int length)
    {
        var periods = NormPeriods.Find(Sawtooth(Enumerable.Repeat(length, teeth)));
        Assert.Equal(teeth - 1, periods.Count); // the last fall never rises again
        for (int k = 0; k < periods.Count; k++)
        {
            Assert.Equal(k * length, periods[k].Peak);
            Assert.Equal(k * length + length - 1, periods[k].Trough);
            Assert.Equal((k + 1) * length, periods[k].Rise);
            Assert.Equal(0.5, periods[k].Amplitude, 12);
        }
    }

    [Fact]
    public void UnequalPeriodsAreFoundWithTheirLengths()
    {
        int[] lengths = { 30, 45, 20, 60, 25 };
        var periods = NormPeriods.Find(Sawtooth(lengths, floor: 0.4));
        Assert.Equal(4, periods.Count);
        Assert.Equal(lengths.Take(3), periods.Zip(periods.Skip(1), (a, b) => b.Peak - a.Peak));
        Assert.All(periods, p => Assert.Equal(0.6, p.Amplitude, 12));
    }

    [Fact]
    public void MultiplicativeJitterOfOnePercentChangesNothing()
    {
        var random = new Random(7);
        var noisy = Sawtooth(Enumerable.Repeat(50, 6)).Select(v => v * (1 + 0.01 * (2 * random.NextDouble() - 1))).ToList();
        var periods = NormPeriods.Find(noisy);
        Assert.Equal(5, periods.Count);
        Assert.All(periods, p => Assert.Equal(p.Peak + 50, p.Rise));
    }

    [Fact]
    public void FallsSmallerThanTheDropAreNotPeriods()
    {
        Assert.Empty(NormPeriods.Find(Sawtooth(Enumerable.Repeat(30, 8), floor: 0.75)));
        // Exactly 30% down counts; the threshold is inclusive.
        Assert.Single(NormPeriods.Find(new[] { 1.0, 0.9, 0.8, 0.7, 1.0 }));
        Assert.Empty(NormPeriods.Find(new[] { 1.0, 0.9, 0.8, 0.7000001, 1.0 }));
    }

    [Fact]
    public void AFallWithoutARiseAndAMonotoneDecayAreNotPeriods()
    {
        Assert.Empty(NormPeriods.Find(Enumerable.Range(0, 100).Select(t => Math.Exp(-0.05 * t)).ToList()));
        // A rise of less than 5% above the trough is jitter, not a rise.
        Assert.Empty(NormPeriods.Find(new[] { 1.0, 0.6, 0.5, 0.52, 0.51 }));
        Assert.Empty(NormPeriods.Find(Array.Empty<double>()));
    }

    [Fact]
    public void TheFirstPeakIsTheLargestValueBeforeTheFall()
    {
        // Growth from 0.5 to 1.2 first, then a fall to 0.6 and a rise.
        var values = new List<double> { 0.5, 0.8, 1.0, 1.2, 1.1, 0.9, 0.7, 0.6, 0.9, 0.85 };
        var period = Assert.Single(NormPeriods.Find(values));
        Assert.Equal((3, 7, 8), (period.Peak, period.Trough, period.Rise));
        Assert.Equal(0.5, period.Amplitude, 12);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => NormPeriods.Find(new[] { 1.0, double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NormPeriods.Find(new[] { 1.0 }, drop: 1.5));
    }
}

public class SphereRegimeRuleTests
{
    static readonly SphereRegimeRule Rule = new();

    [Fact]
    public void AStillFallingLossIsConverging()
    {
        var loss = Enumerable.Range(0, 50).Select(t => 2.0 * Math.Exp(-0.05 * t)).ToList();
        var call = Rule.Classify(loss, 10);
        Assert.Equal(SphereRegime.Converging, call.Regime);
        Assert.Equal(10, call.Window);
        Assert.Equal(1 - Math.Exp(-0.5), call.Decrease, 9);
    }

    [Fact]
    public void ALevelBelowChanceWithFluctuationsIsChaoticEquilibrium()
    {
        var random = new Random(3);
        var loss = Enumerable.Range(0, 50).Select(t => (t < 10 ? 2.0 - 0.15 * t : 0.5) * (1 + 0.2 * (random.NextDouble() - 0.5))).ToList();
        var call = Rule.Classify(loss, 10);
        Assert.Equal(SphereRegime.ChaoticEquilibrium, call.Regime);
        Assert.True(call.Fluctuation > 0.02);
    }

    [Fact]
    public void ChanceLevelOrANonFiniteLossIsDiverging()
    {
        var chance = Enumerable.Repeat(Math.Log(10), 20).ToList();
        Assert.Equal(SphereRegime.Diverging, Rule.Classify(chance, 10).Regime);
        Assert.Equal(SphereRegime.Diverging, Rule.Classify(new[] { 2.0, 1.5, double.NaN }, 10).Regime);
        Assert.Equal(SphereRegime.Diverging, Rule.Classify(new[] { 2.0, 1.5, 1.0 }, 10, nonFinite: true).Regime);
        // Just under 90% of chance is not divergence.
        Assert.NotEqual(SphereRegime.Diverging, Rule.Classify(Enumerable.Repeat(0.89 * Math.Log(10), 20).ToList(), 10).Regime);
    }
}
