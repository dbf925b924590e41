using LossLandscape.Ensembles;
using LossLandscape.Experiments;

namespace LossLandscape.Tests.Ensembles;

public class PowerLawStudyTests
{
    [Fact]
    public void SizesAreAllUpToSixteenThenMultiplesOfEightAndThePool()
    {
        Assert.Equal(Enumerable.Range(1, 5), PowerLawStudy.SizeGrid(5));
        Assert.Equal(Enumerable.Range(1, 16).Concat(new[] { 24, 32, 37 }), PowerLawStudy.SizeGrid(37));
    }

    [Fact]
    public void SpearmanMatchesHandComputedRanks()
    {
        Assert.Equal(1.0, PowerLaws.Spearman(new double[] { 1, 2, 3, 4 }, new double[] { 10, 20, 30, 100 }), 12);
        Assert.Equal(-1.0, PowerLaws.Spearman(new double[] { 1, 2, 3 }, new double[] { 3, 2, 1 }), 12);
        // x ranks 0,1,2,3; y = (1, 1, 2, 0) has ranks (1.5, 1.5, 3, 0): sxy = -1.5, sxx = 5, syy = 4.5.
        Assert.Equal(-1.5 / Math.Sqrt(5 * 4.5), PowerLaws.Spearman(new double[] { 1, 2, 3, 4 }, new double[] { 1, 1, 2, 0 }), 12);
    }
}
