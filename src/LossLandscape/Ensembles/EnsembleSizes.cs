namespace LossLandscape.Ensembles;

/// <summary>
/// The CNLL of ensembles of one size n drawn from a pool: the mean and sample standard deviation (n - 1; 0 for a
/// single subset) over <see cref="Subsets"/> of the subsets' mean CNLLs (<see cref="Values"/>, one per subset).
/// </summary>
public sealed record EnsembleSizePoint(int Size, double Mean, double StandardDeviation, IReadOnlyList<double> Values, IReadOnlyList<int[]> Subsets);

/// <summary>
/// Ensembles of several sizes from one pool of N members, the data a power law CNLL(n) = c + b n^a is fitted to.
/// For each size n the subsets are all C(N, n) of them when there are at most <c>maxSubsets</c>, otherwise
/// <c>maxSubsets</c> distinct subsets drawn at random. (The paper's code uses up to 5 disjoint consecutive groups of
/// the pool; random subsets use the pool more evenly and allow more than N / n of them.)
/// </summary>
public static class EnsembleSizes
{
    /// <summary>
    /// The subsets of size <paramref name="size"/> of members [0, poolSize), each sorted ascending. All of them in
    /// lexicographic order when C(poolSize, size) &lt;= maxSubsets; otherwise maxSubsets distinct ones from a generator
    /// seeded by (seed, size), so the subsets of one size do not change when other sizes are asked for.
    /// </summary>
    public static IReadOnlyList<int[]> Subsets(int poolSize, int size, int maxSubsets, int seed)
    {
        if (size < 1 || size > poolSize) throw new LandscapeException($"cannot draw ensembles of {size} from a pool of {poolSize}");
        if (maxSubsets < 1) throw new LandscapeException($"need at least one subset per size, got {maxSubsets}");
        if (Combinations(poolSize, size) <= maxSubsets) return AllSubsets(poolSize, size);

        var random = new Random(unchecked(seed * 1_000_003 + size));
        var seen = new HashSet<string>();
        var subsets = new List<int[]>();
        var order = Enumerable.Range(0, poolSize).ToArray();
        while (subsets.Count < maxSubsets)
        {
            for (int i = 0; i < size; i++) // a partial Fisher-Yates shuffle puts a uniform random subset in front
            {
                int j = i + random.Next(poolSize - i);
                (order[i], order[j]) = (order[j], order[i]);
            }
            var subset = order[..size];
            Array.Sort(subset);
            if (seen.Add(string.Join(',', subset))) subsets.Add(subset);
        }
        return subsets;
    }

    /// <summary>
    /// CNLL for every ensemble size in <paramref name="sizes"/>: every subset's CNLL with <paramref name="settings"/>
    /// (the same splits for every subset, so differences between sizes are not split noise), then mean and spread.
    /// </summary>
    public static IReadOnlyList<EnsembleSizePoint> Cnll(MemberLogits pool, IEnumerable<int> sizes, int maxSubsets = 5, int seed = 0,
        CnllSettings? settings = null, Action<int, int>? progress = null)
    {
        var perSize = sizes.Select(n => (Size: n, Subsets: Subsets(pool.Members, n, maxSubsets, seed))).ToList();
        int total = perSize.Sum(p => p.Subsets.Count), done = 0;
        var points = new List<EnsembleSizePoint>();
        foreach (var (size, subsets) in perSize)
        {
            var values = new List<double>();
            foreach (var subset in subsets)
            {
                values.Add(CalibratedNll.Evaluate(pool.Select(subset), settings).Mean);
                progress?.Invoke(++done, total);
            }
            var (mean, std) = CalibratedNll.MeanAndStandardDeviation(values);
            points.Add(new EnsembleSizePoint(size, mean, std, values, subsets));
        }
        return points;
    }

    /// <summary>C(n, k), saturating at long.MaxValue.</summary>
    internal static long Combinations(int n, int k)
    {
        k = Math.Min(k, n - k);
        long result = 1;
        for (int i = 1; i <= k; i++)
        {
            // result * (n - k + i) / i is exact at every step (it is C(n - k + i, i)); check the product's size first
            if (result > long.MaxValue / (n - k + i)) return long.MaxValue;
            result = result * (n - k + i) / i;
        }
        return result;
    }

    static List<int[]> AllSubsets(int n, int k)
    {
        var all = new List<int[]>();
        var current = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            all.Add((int[])current.Clone());
            int i = k - 1;
            while (i >= 0 && current[i] == n - k + i) i--; // rightmost position that can still move right
            if (i < 0) return all;
            current[i]++;
            for (int j = i + 1; j < k; j++) current[j] = current[j - 1] + 1;
        }
    }
}
