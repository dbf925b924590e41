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

    /// <summary>
    /// The epoch-wise run in which the two phases are looked for: the double-descent epochs axis (same data and 20% label
    /// noise) with a scale-invariant model, plain SGD with weight decay (the norm can only fall with weight decay), the
    /// norm and lambda_max rho^2 logged, the learning rate annealed tenfold late. Quick: MLP-SI 784-256-256-10 on 1,000 images,
    /// lr 0.5, weight decay 1e-3, 60 epochs, sharpness every 2 epochs, anneal at 40, seeds 0-2. Paper: ConvNetSI (c = 32) on
    /// the double-descent paper preset's 50k Fashion-MNIST images, 1,000 epochs, anneal at 500 (the talk's Experiment 1 uses a
    /// ResNet on CIFAR-100 annealed after 500 epochs).
    /// </summary>
    public static DoubleDescentSettings Settings(Preset preset) => preset switch
    {
        Preset.Smoke => DoubleDescentSettings.For(preset, DescentAxis.Epochs) with
            { Model = "mlp-si", Width = 32, SiSharpnessEvery = 1, Optimizer = "sgd", LearningRate = 0.5, WeightDecay = 1e-3 },
        Preset.Quick => DoubleDescentSettings.For(preset, DescentAxis.Epochs) with
            { Model = "mlp-si", Width = 256, SiSharpnessEvery = 2, AnnealEpoch = 40, Optimizer = "sgd", LearningRate = 0.5, WeightDecay = 1e-3 },
        _ => DoubleDescentSettings.For(preset, DescentAxis.Epochs) with
            { Model = "convnet-si", Width = 32, SiSharpnessEvery = 10, AnnealEpoch = 500, Optimizer = "sgd", LearningRate = 0.5, WeightDecay = 1e-3 },
    };

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
