namespace LossLandscape.Experiments;

/// <summary>The three regimes of training on the sphere at a fixed effective learning rate (Kodryan et al. 2022).</summary>
public enum SphereRegime { Converging, ChaoticEquilibrium, Diverging }

/// <summary>How one run's train loss curve was classified, with the numbers the rule looked at.</summary>
/// <param name="FinalLoss">Mean train loss over the last window of epochs.</param>
/// <param name="PreviousLoss">Mean train loss over the window before it (NaN with fewer than two epochs).</param>
/// <param name="Decrease">Relative fall from the previous window to the last, (previous - final) / previous.</param>
/// <param name="Fluctuation">Standard deviation over mean of the per-epoch train loss in the last window.</param>
public sealed record RegimeCall(SphereRegime Regime, double FinalLoss, double PreviousLoss, double Decrease, double Fluctuation, int Window);

/// <summary>
/// The documented rule that names a run's regime from its per-epoch train loss (means over each epoch's mini-batches).
/// With W = max(<paramref name="MinWindow"/>, round(<paramref name="WindowFraction"/> x epochs)) (at most half the
/// epochs), the final loss is the mean over the last W epochs and the previous loss the mean over the W before them.
/// <list type="number">
/// <item>Diverging: the run produced a non-finite loss, or the final loss is at least <paramref name="ChanceFraction"/>
/// times ln(classes), the loss of a uniform guess: on the sphere the weights cannot blow up, so divergence shows as a
/// model that stays at (or falls back to) chance.</item>
/// <item>Converging: otherwise, if the loss is still falling: the final loss is at least <paramref name="Decrease"/>
/// (relative) below the previous one.</item>
/// <item>Chaotic equilibrium: otherwise: the loss has stopped falling at a level below chance and fluctuates there
/// (its fluctuation is reported, not used).</item>
/// </list>
/// </summary>
public sealed record SphereRegimeRule(double WindowFraction = 0.2, int MinWindow = 3, double Decrease = 0.1, double ChanceFraction = 0.9)
{
    public RegimeCall Classify(IReadOnlyList<double> trainLoss, int classes, bool nonFinite = false)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "at least two classes");
        var finite = trainLoss.TakeWhile(double.IsFinite).ToList();
        if (finite.Count == 0) return new RegimeCall(SphereRegime.Diverging, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        int n = finite.Count;
        int window = Math.Max(1, Math.Min(Math.Max(MinWindow, (int)Math.Round(WindowFraction * n)), n / 2));
        if (n < 2) window = 1;
        var last = finite.Skip(n - window).ToList();
        double final = last.Average();
        double previous = n >= 2 * window ? finite.Skip(n - 2 * window).Take(window).Average() : double.NaN;
        double decrease = (previous - final) / previous;
        double sd = Math.Sqrt(last.Sum(v => (v - final) * (v - final)) / Math.Max(1, last.Count - 1));
        double fluctuation = sd / final;
        var regime = nonFinite || finite.Count < trainLoss.Count || final >= ChanceFraction * Math.Log(classes) ? SphereRegime.Diverging
            : decrease >= Decrease ? SphereRegime.Converging
            : SphereRegime.ChaoticEquilibrium;
        return new RegimeCall(regime, final, previous, decrease, fluctuation, window);
    }
}
