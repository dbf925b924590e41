using LossLandscape.Ensembles;

namespace LossLandscape.Tests.Ensembles;

public class EnsembleSizesTests
{
    [Fact]
    public void FewCombinationsAreAllTaken()
    {
        var subsets = EnsembleSizes.Subsets(poolSize: 4, size: 2, maxSubsets: 6, seed: 0);
        int[][] expected = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]];
        Assert.Equal(expected, subsets);
        Assert.Equal([[0, 1, 2, 3]], EnsembleSizes.Subsets(4, 4, 5, 0));
    }

    [Fact]
    public void ManyCombinationsAreSampledDistinctAndSeeded()
    {
        var subsets = EnsembleSizes.Subsets(poolSize: 10, size: 3, maxSubsets: 20, seed: 7); // C(10, 3) = 120 > 20
        Assert.Equal(20, subsets.Count);
        Assert.Equal(20, subsets.Select(s => string.Join(',', s)).Distinct().Count());
        Assert.All(subsets, s =>
        {
            Assert.Equal(3, s.Length);
            Assert.Equal(s.OrderBy(v => v), s);
            Assert.Equal(3, s.Distinct().Count());
            Assert.All(s, v => Assert.InRange(v, 0, 9));
        });
        Assert.Equal(subsets, EnsembleSizes.Subsets(10, 3, 20, 7));
        Assert.NotEqual(subsets, EnsembleSizes.Subsets(10, 3, 20, 8));
    }

    [Fact]
    public void CnllBySizeAveragesOverSubsetsAndImprovesWithSize()
    {
        var z = SyntheticPool.Logits(members: 5, samples: 1500, classes: 5, seed: 31);
        var pool = new MemberLogits(z, SyntheticPool.Labels(z, TemperatureSetup.BeforeAveraging, 1.0, seed: 32));
        var settings = new CnllSettings(Repeats: 2);
        var points = EnsembleSizes.Cnll(pool, [1, 2, 5], maxSubsets: 4, seed: 3, settings: settings);

        Assert.Equal([1, 2, 5], points.Select(p => p.Size));
        Assert.Equal([4, 4, 1], points.Select(p => p.Subsets.Count));
        var pair = points[1];
        for (int j = 0; j < pair.Subsets.Count; j++)
            Assert.Equal(CalibratedNll.Evaluate(pool.Select(pair.Subsets[j]), settings).Mean, pair.Values[j], 14);
        Assert.Equal(pair.Values.Average(), pair.Mean, 14);
        Assert.Equal(0, points[2].StandardDeviation);
        Assert.True(points[0].Mean > points[1].Mean && points[1].Mean > points[2].Mean);
    }
}
