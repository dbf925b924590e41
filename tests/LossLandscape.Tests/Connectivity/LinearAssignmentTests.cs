using LossLandscape.Connectivity;

namespace LossLandscape.Tests.Connectivity;

public class LinearAssignmentTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void MatchesBruteForceOnRandomMatrices(int n)
    {
        var random = new Random(n * 17);
        for (int trial = 0; trial < 20; trial++)
        {
            var cost = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    cost[i, j] = trial % 2 == 0 ? random.NextDouble() * 200 - 100 : random.Next(-3, 4); // the integer ones have ties
            var perm = LinearAssignment.Maximize(cost);
            Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), perm.OrderBy(v => v));
            double best = AllPermutations(n).Max(p => LinearAssignment.Value(cost, p));
            Assert.Equal(best, LinearAssignment.Value(cost, perm), 1e-9);
        }
    }

    [Fact]
    public void ConstantMatrixGivesAnyPermutation()
    {
        var perm = LinearAssignment.Maximize(new double[3, 3]);
        Assert.Equal(new long[] { 0, 1, 2 }, perm);
    }

    [Fact]
    public void RejectsNonSquareAndNonFiniteCosts()
    {
        Assert.Throws<ArgumentException>(() => LinearAssignment.Maximize(new double[2, 3]));
        Assert.Throws<ArgumentException>(() => LinearAssignment.Maximize(new double[,] { { 0, double.NaN }, { 1, 2 } }));
    }

    static IEnumerable<long[]> AllPermutations(int n)
    {
        if (n == 0) { yield return Array.Empty<long>(); yield break; }
        foreach (var rest in AllPermutations(n - 1))
            for (int position = 0; position <= rest.Length; position++)
            {
                var p = new List<long>(rest);
                p.Insert(position, n - 1);
                yield return p.ToArray();
            }
    }
}
