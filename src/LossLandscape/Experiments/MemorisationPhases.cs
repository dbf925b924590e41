using LossLandscape.Runs;

namespace LossLandscape.Experiments;

/// <summary>
/// The talk's two phases of epoch-wise double descent in one run with label noise, located from its metrics:
/// the early minimum of the test loss (epoch t_min), the epoch the noisy training set is fitted (t_fit: first epoch with
/// training accuracy >= 99%, the last epoch when never) and the end of the run. Norm = the scale-invariant weight norm
/// (si_norm), sharpness = lambda_max * rho^2 (si_sharpness), each taken at the measured epoch nearest to the one asked.
/// </summary>
public sealed record MemorisationPhases(int Seed, long EarlyMinimumEpoch, long FitEpoch, long LastEpoch, bool Fitted,
    double NormAtMinimum, double NormAtFit, double NormAtEnd, double SharpnessAtMinimum, double SharpnessAtFit, double SharpnessAtEnd,
    double TestLossAtMinimum, double TestLossAtFit, double TestLossAtEnd)
{
    /// <summary>Training accuracy (on the noisy labels) from which the run counts as having memorised them.</summary>
    public const double FittedAccuracy = 0.99;

    /// <returns>null when the run logged no scale-invariant sharpness (the phases cannot be judged)</returns>
    public static MemorisationPhases? Of(int seed, IReadOnlyList<MetricsRow> rows)
    {
        var measured = rows.Where(r => Value(r, "si_sharpness") is { } v && double.IsFinite(v)).ToList();
        var tested = rows.Where(r => double.IsFinite(r.TestLoss)).ToList();
        if (measured.Count < 2 || tested.Count < 2) return null;
        var fit = tested.FirstOrDefault(r => r.TrainAccuracy >= FittedAccuracy);
        var fitRow = fit ?? tested[^1];
        var minimum = tested.Where(r => r.Epoch <= fitRow.Epoch).MinBy(r => r.TestLoss)!;
        var last = tested[^1];
        MetricsRow Near(long epoch) => measured.MinBy(r => Math.Abs(r.Epoch - epoch))!;
        double Norm(MetricsRow r) => Value(r, "si_norm") ?? r.WeightNorm;
        double Sharp(long epoch) => Value(Near(epoch), "si_sharpness")!.Value;
        return new MemorisationPhases(seed, minimum.Epoch, fitRow.Epoch, last.Epoch, fit is not null,
            Norm(minimum), Norm(fitRow), Norm(last), Sharp(minimum.Epoch), Sharp(fitRow.Epoch), Sharp(last.Epoch),
            minimum.TestLoss, fitRow.TestLoss, last.TestLoss);
    }

    static double? Value(MetricsRow r, string column) => r.Extra.TryGetValue(column, out var v) ? v : null;

    /// <summary>
    /// The claims, one effect per seed, positive in the talk's direction. Memorisation (t_min -> t_fit): the norm grows
    /// (log ratio), the minimum gets sharper (log10 ratio). Consolidation (t_fit -> end): the norm falls, the minimum widens,
    /// the test loss improves, and ends below the early minimum (the talk's "better generalisation" after consolidation).
    /// </summary>
    public static IReadOnlyList<Verdict> Judge(IReadOnlyList<MemorisationPhases> seeds)
    {
        if (seeds.Count == 0) return Array.Empty<Verdict>();
        Verdict V(string claim, Func<MemorisationPhases, double> effect, string unit) => Verdict.Of(claim, seeds.Select(effect).ToList(), unit);
        return new[]
        {
            V("memorisation: the weight norm grows from the test-loss minimum to fitting the noisy labels (log ratio)", p => Math.Log(p.NormAtFit / p.NormAtMinimum), ""),
            V("memorisation: the minimum gets sharper, lambda_max rho^2 up (log10 ratio)", p => Math.Log10(p.SharpnessAtFit / p.SharpnessAtMinimum), ""),
            V("consolidation: after fitting, the weight norm falls (log ratio, fit to end)", p => Math.Log(p.NormAtFit / p.NormAtEnd), ""),
            V("consolidation: after fitting, the minimum widens, lambda_max rho^2 down (log10 ratio, fit to end)", p => Math.Log10(p.SharpnessAtFit / p.SharpnessAtEnd), ""),
            V("consolidation: the test loss improves after fitting (test loss at fit minus at end)", p => p.TestLossAtFit - p.TestLossAtEnd, ""),
            V("consolidation: the test loss ends below its early minimum (early minimum minus end)", p => p.TestLossAtMinimum - p.TestLossAtEnd, ""),
        };
    }

    public string Describe() =>
        $"seed {Seed}: test-loss minimum at epoch {EarlyMinimumEpoch} ({TestLossAtMinimum:F3}), " +
        (Fitted ? $"noisy labels fitted at epoch {FitEpoch}" : $"never fitted the noisy labels (last epoch {FitEpoch} used)") +
        $" (test loss {TestLossAtFit:F3}), end {LastEpoch} ({TestLossAtEnd:F3}); norm {NormAtMinimum:G4} -> {NormAtFit:G4} -> {NormAtEnd:G4}; " +
        $"lambda_max rho^2 {SharpnessAtMinimum:G4} -> {SharpnessAtFit:G4} -> {SharpnessAtEnd:G4}";
}
