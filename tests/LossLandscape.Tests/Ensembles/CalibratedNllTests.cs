using LossLandscape.Ensembles;

namespace LossLandscape.Tests.Ensembles;

public class CalibratedNllTests
{
    static MemberLogits Pool(int seed = 21, int samples = 2000)
    {
        var z = SyntheticPool.Logits(members: 3, samples: samples, classes: 6, seed: seed);
        return new MemberLogits(z, SyntheticPool.Labels(z, TemperatureSetup.AfterAveraging, 1.8, seed: seed + 1));
    }

    [Theory]
    [InlineData(TemperatureSetup.AfterAveraging)]
    [InlineData(TemperatureSetup.BeforeAveraging)]
    public void TwoFoldsFiveRepeatsGiveTenHeldOutValues(TemperatureSetup setup)
    {
        var pool = Pool();
        var result = CalibratedNll.Evaluate(pool, new CnllSettings(setup));
        Assert.Equal(10, result.Values.Count);
        Assert.Equal(10, result.Temperatures.Count);
        Assert.Equal(result.Values.Average(), result.Mean, 14);
        double variance = result.Values.Sum(v => (v - result.Mean) * (v - result.Mean)) / 9;
        Assert.Equal(Math.Sqrt(variance), result.StandardDeviation, 14);
        // Held-out NLL at a tau fitted on the other half is close to the NLL at the optimum over the whole set,
        // and far better than no calibration (the labels were drawn at tau = 1.8).
        double best = TemperatureScaling.Fit(pool, setup).Nll;
        Assert.InRange(result.Mean, best - 0.01, best + 0.01);
        Assert.True(result.Mean < pool.Ensemble().Nll() - 0.05);
        Assert.All(result.Temperatures, t => Assert.InRange(t, 1.5, 2.2));
    }

    [Fact]
    public void TheSameSeedGivesTheSameNumbersAndAnotherSeedOthers()
    {
        var pool = Pool();
        var first = CalibratedNll.Evaluate(pool, new CnllSettings(Seed: 5));
        var again = CalibratedNll.Evaluate(pool, new CnllSettings(Seed: 5));
        var other = CalibratedNll.Evaluate(pool, new CnllSettings(Seed: 6));
        Assert.Equal(first.Values, again.Values);       // bit for bit
        Assert.Equal(first.Temperatures, again.Temperatures);
        Assert.NotEqual(first.Values, other.Values);
    }

    [Fact]
    public void FoldsAndRepeatsAreParameters()
    {
        var result = CalibratedNll.Evaluate(Pool(samples: 301), new CnllSettings(TemperatureSetup.BeforeAveraging, Folds: 3, Repeats: 2));
        Assert.Equal(6, result.Values.Count);
        Assert.Throws<LandscapeException>(() => CalibratedNll.Evaluate(Pool(samples: 50), new CnllSettings(Folds: 1)));
        Assert.Throws<LandscapeException>(() => CalibratedNll.Evaluate(Pool(samples: 50), new CnllSettings(Repeats: 0)));
    }
}
