namespace LossLandscape.Connectivity;

/// <summary>The height of a path's bump: max over t of loss(t) minus the linear interpolation of the endpoint losses.</summary>
public readonly record struct BarrierResult(double Height, double AtT);

public static class LossBarrier
{
    /// <summary>Barrier of values measured at t (sorted or not); the endpoints are the values at the smallest and largest t.</summary>
    public static BarrierResult Of(IReadOnlyList<double> t, IReadOnlyList<double> values)
    {
        if (t.Count != values.Count || t.Count < 2) throw new ArgumentException("need at least two (t, value) pairs");
        int first = Enumerable.Range(0, t.Count).MinBy(i => t[i]);
        int last = Enumerable.Range(0, t.Count).MaxBy(i => t[i]);
        double t0 = t[first], t1 = t[last];
        double best = double.NegativeInfinity, at = t0;
        for (int i = 0; i < t.Count; i++)
        {
            double s = (t[i] - t0) / (t1 - t0);
            double excess = values[i] - ((1 - s) * values[first] + s * values[last]);
            if (excess > best) (best, at) = (excess, t[i]);
        }
        return new BarrierResult(best, at);
    }
}
