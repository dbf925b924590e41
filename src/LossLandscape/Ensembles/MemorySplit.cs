namespace LossLandscape.Ensembles;

/// <summary>
/// CNLL against ensemble size for networks of one width, each of <see cref="Parameters"/> parameters: measured at
/// some sizes, or predicted at every size by a fitted law. <see cref="Cnll"/> is null where no value is known.
/// </summary>
public sealed class WidthCurve
{
    readonly Func<int, double?> cnll;

    public WidthCurve(double width, long parameters, Func<int, double?> cnll)
    {
        if (parameters < 1) throw new LandscapeException($"a network of width {width} must have at least one parameter, got {parameters}");
        Width = width;
        Parameters = parameters;
        this.cnll = cnll;
    }

    public double Width { get; }
    public long Parameters { get; }

    /// <summary>CNLL of an ensemble of <paramref name="members"/> networks of this width, or null if unknown.</summary>
    public double? Cnll(int members) => members >= 1 ? cnll(members) : null;

    /// <summary>Measured values: known exactly at the sizes given (for example the sizes of an ensemble-size sweep).</summary>
    public static WidthCurve Measured(double width, long parameters, IReadOnlyDictionary<int, double> cnllBySize) =>
        new(width, parameters, n => cnllBySize.TryGetValue(n, out double v) ? v : null);

    /// <summary>Predicted by a fitted law CNLL(n) = c + b n^a at every size.</summary>
    public static WidthCurve Predicted(double width, long parameters, OffsetPowerLaw law) =>
        new(width, parameters, n => law.Predict(n));
}

/// <summary>The best use of a budget: <see cref="Members"/> networks of width <see cref="Width"/>, reaching <see cref="Cnll"/>.</summary>
public readonly record struct MemorySplitChoice(long Budget, double Width, int Members, double Cnll);

/// <summary>
/// The memory split of Lobacheva et al. 2020: a budget of B parameters buys n(w) = floor(B / params(w)) networks
/// of width w; which width (and so which ensemble size) gives the lowest CNLL? Over a range of budgets the optimum's
/// CNLL is the lower envelope of the widths' curves, which the paper finds to follow a power law in B
/// (fit it with <see cref="PowerLaw.Fit"/>).
/// </summary>
public static class MemorySplit
{
    /// <summary>n(w) = floor(budget / parameters): how many networks of that size the budget holds.</summary>
    public static int Members(long budget, long parameters)
    {
        if (budget < 0 || parameters < 1) throw new LandscapeException($"budget {budget} and parameter count {parameters} must be non-negative and positive");
        return (int)Math.Min(budget / parameters, int.MaxValue);
    }

    /// <summary>
    /// The width with the lowest CNLL at its n(w) = floor(budget / params(w)); widths that the budget cannot hold once
    /// (n = 0) or whose curve has no value at n(w) are skipped. Ties go to the earlier curve. Null if none qualifies.
    /// </summary>
    public static MemorySplitChoice? Best(long budget, IReadOnlyList<WidthCurve> curves)
    {
        MemorySplitChoice? best = null;
        foreach (var curve in curves)
        {
            int n = Members(budget, curve.Parameters);
            if (n < 1 || curve.Cnll(n) is not double cnll) continue;
            if (best is null || cnll < best.Value.Cnll) best = new MemorySplitChoice(budget, curve.Width, n, cnll);
        }
        return best;
    }

    /// <summary>The optimum at every budget (in the order given) where at least one width qualifies: the lower envelope.</summary>
    public static IReadOnlyList<MemorySplitChoice> LowerEnvelope(IEnumerable<long> budgets, IReadOnlyList<WidthCurve> curves) =>
        budgets.Select(b => Best(b, curves)).OfType<MemorySplitChoice>().ToList();
}
