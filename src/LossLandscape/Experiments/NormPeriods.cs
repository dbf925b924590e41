namespace LossLandscape.Experiments;

/// <summary>
/// One period of the weight norm: from a peak, a fall of at least the drop fraction, and a rise again.
/// Indices are positions in the sequence given to <see cref="NormPeriods.Find"/>.
/// </summary>
/// <param name="Peak">Index of the largest value since the previous period ended (or since the start).</param>
/// <param name="Trough">Index of the smallest value between the fall and the rise.</param>
/// <param name="Rise">Index of the first value at least (1 + rise fraction) times the trough's: where the period ends.</param>
public sealed record NormPeriod(int Peak, int Trough, int Rise, double PeakValue, double TroughValue)
{
    /// <summary>Relative fall from peak to trough, 1 - trough / peak.</summary>
    public double Amplitude => 1 - TroughValue / PeakValue;
}

/// <summary>
/// Counts the periods of a weight-norm sequence (one value per epoch) the way Lobacheva et al. (2021) describe the
/// periodic behaviour of training with BatchNorm and weight decay: the norm decays, training destabilises, the norm
/// jumps up, and again. A period is counted when the sequence falls by at least <c>drop</c> (0.3: 30%) from its
/// largest value since the last period ended and then rises again, to at least (1 + <c>rise</c>) times the lowest
/// value reached after the fall (<c>rise</c> = 0.05 ignores epoch-to-epoch jitter at the bottom). The next period's
/// peak is sought from the rise on. A final fall that never rises again is not a period.
/// </summary>
public static class NormPeriods
{
    public static IReadOnlyList<NormPeriod> Find(IReadOnlyList<double> values, double drop = 0.3, double rise = 0.05)
    {
        if (!(drop > 0 && drop < 1)) throw new ArgumentOutOfRangeException(nameof(drop), drop, "a fraction in (0, 1)");
        if (!(rise >= 0)) throw new ArgumentOutOfRangeException(nameof(rise), rise, "a non-negative fraction");
        var periods = new List<NormPeriod>();
        if (values.Count == 0) return periods;
        if (values.Any(v => !(v > 0) || double.IsInfinity(v))) throw new ArgumentException("norms must be positive and finite", nameof(values));
        int peak = 0, trough = -1;
        for (int i = 1; i < values.Count; i++)
        {
            double v = values[i];
            if (trough < 0)
            {
                if (v > values[peak]) peak = i;
                else if (v <= (1 - drop) * values[peak]) trough = i;
            }
            else if (v < values[trough])
            {
                trough = i;
            }
            else if (v >= (1 + rise) * values[trough])
            {
                periods.Add(new NormPeriod(peak, trough, i, values[peak], values[trough]));
                peak = i;
                trough = -1;
            }
        }
        return periods;
    }
}
