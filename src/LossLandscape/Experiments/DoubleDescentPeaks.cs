namespace LossLandscape.Experiments;

/// <summary>Peaks of double-descent curves and the per-seed effects their verdicts rest on.</summary>
public static partial class DoubleDescent
{
    /// <summary>
    /// The most prominent interior local maximum of the mean of <paramref name="value"/> over seeds (prominence: its height
    /// above the higher of the lowest points on either side, so a second rise after a first descent counts on any axis);
    /// per seed, its excess over the higher of its two neighbours (the verdict's effects). Null when the mean curve has no
    /// interior local maximum.
    /// </summary>
    public static DescentPeak? Peak(string curve, IReadOnlyList<DescentPoint> points, Func<DescentPoint, double> value)
    {
        var (xs, means) = Means(points, value);
        if (xs.Count < 3) return null;
        var candidates = Enumerable.Range(1, xs.Count - 2).Where(i => means[i] > means[i - 1] && means[i] > means[i + 1]).ToList();
        if (candidates.Count == 0) return null;
        int best = candidates.MaxBy(i => means[i] - Math.Max(means.Take(i).Min(), means.Skip(i + 1).Min()));
        return At(curve, points, value, xs, means, best);
    }

    /// <summary>
    /// Where a curve has no interior local maximum: its highest interior point, with the same per-seed effects (excess over
    /// the higher neighbour, negative on average there), so the claim still gets a verdict from the numbers.
    /// </summary>
    public static DescentPeak? HighestInterior(string curve, IReadOnlyList<DescentPoint> points, Func<DescentPoint, double> value)
    {
        var (xs, means) = Means(points, value);
        return xs.Count < 3 ? null : At(curve, points, value, xs, means, Enumerable.Range(1, xs.Count - 2).MaxBy(i => means[i]));
    }

    static (List<double> Xs, List<double> Means) Means(IReadOnlyList<DescentPoint> points, Func<DescentPoint, double> value)
    {
        var xs = points.Select(p => p.X).Distinct().Order().ToList();
        return (xs, xs.Select(x => points.Where(p => p.X == x).Average(value)).ToList());
    }

    static DescentPeak At(string curve, IReadOnlyList<DescentPoint> points, Func<DescentPoint, double> value, List<double> xs, List<double> means, int index)
    {
        var effects = points.Select(p => p.Seed).Distinct().Order().Select(seed =>
        {
            double At(double x) => value(points.First(p => p.Seed == seed && p.X == x));
            return At(xs[index]) - Math.Max(At(xs[index - 1]), At(xs[index + 1]));
        }).ToList();
        return new DescentPeak(curve, xs[index], means[index], means[index - 1], means[index + 1], effects);
    }
}
