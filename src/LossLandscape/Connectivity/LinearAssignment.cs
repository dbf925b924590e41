using Google.OrTools.Graph;

namespace LossLandscape.Connectivity;

/// <summary>
/// The linear assignment problem: a permutation perm maximising sum_i C[i, perm[i]] for a square matrix C,
/// solved by OR-Tools' cost-scaling LinearSumAssignment.
/// </summary>
public static class LinearAssignment
{
    /// <summary>
    /// OR-Tools works on integer costs and multiplies them by about (n+1) internally during cost scaling,
    /// so the scaled costs are kept below 2^60 / (n+1)^2 (and at most 2^40). Each entry is then rounded by
    /// at most range / (2 scale), so any assignment's total moves by at most n range / (2 scale): for n in
    /// the thousands that is ~1e-11 of the cost range, far below the float32 resolution of the weights the
    /// costs come from, so the returned assignment is optimal for the float costs up to that slack.
    /// </summary>
    public static long[] Maximize(double[,] cost)
    {
        int n = cost.GetLength(0);
        if (cost.GetLength(1) != n) throw new ArgumentException($"the cost matrix must be square, got {n}x{cost.GetLength(1)}");
        if (n == 0) return Array.Empty<long>();
        double max = double.NegativeInfinity, min = double.PositiveInfinity;
        foreach (var c in cost)
        {
            if (!double.IsFinite(c)) throw new ArgumentException("the cost matrix holds a NaN or an infinity");
            max = Math.Max(max, c);
            min = Math.Min(min, c);
        }
        var identity = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        if (max == min || n == 1) return identity; // every assignment is optimal
        double scale = Math.Min(Math.Pow(2, 40), Math.Pow(2, 60) / ((n + 1.0) * (n + 1.0))) / (max - min);

        using var solver = new LinearSumAssignment();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                // Minimising max - C maximises C, and keeps the integer costs non-negative.
                solver.AddArcWithCost(i, j, (long)Math.Round((max - cost[i, j]) * scale));
        var status = solver.Solve();
        if (status != LinearSumAssignment.Status.OPTIMAL)
            throw new InvalidOperationException($"linear assignment failed: {status}");
        var perm = new long[n];
        for (int i = 0; i < n; i++) perm[i] = solver.RightMate(i);
        return perm;
    }

    /// <summary>sum_i C[i, perm[i]].</summary>
    public static double Value(double[,] cost, IReadOnlyList<long> perm)
    {
        double total = 0;
        for (int i = 0; i < perm.Count; i++) total += cost[i, perm[i]];
        return total;
    }
}
