using MathNet.Numerics.RootFinding;

namespace LossLandscape.Ensembles;

/// <summary>Where the temperature of an ensemble acts (the two setups of Lobacheva et al. 2020).</summary>
public enum TemperatureSetup
{
    /// <summary>(a) After averaging: p_tau(k) proportional to exp(log pbar_k / tau), pbar the ensemble's mean probability.</summary>
    AfterAveraging,

    /// <summary>(b) Before averaging: p_tau(k) = (1/M) sum_m softmax(z_m / tau)_k, one temperature on every member's logits.</summary>
    BeforeAveraging,
}

/// <summary>A fitted temperature and the NLL it gives on the samples it was fitted on.</summary>
public readonly record struct TemperatureFit(double Temperature, double Nll);

/// <summary>
/// Temperature scaling of an ensemble: tau = argmin over tau of the NLL of the tempered ensemble on held-out
/// samples, searched over log tau in a bounded interval (default [-5, 5], tau in [0.0067, 148]); an optimum on
/// a bound is returned as that bound.
/// </summary>
/// <remarks>
/// Both setups reduce to one computation, NLL(tau) = -mean_i log (1/M) sum_m softmax(z_m,i / tau)_y_i: setup (a)
/// is the case of a single member whose logits are log pbar. Its derivative in log tau is exact and cheap,
/// d NLL / d log tau = mean_i (1/tau) sum_m w_im (z_m,i,y - E_softmax(z_m,i/tau)[z_m,i]) with w_im the posterior
/// weight of member m for the true class, so the optimum is found as a root of the derivative. Search: a grid of
/// log tau (step 0.5) finds the basin even if the NLL were not unimodal; the derivative's sign at the neighbouring
/// grid points tells whether the optimum is on a bound; otherwise MathNet's Brent root finder (bounded, superlinear)
/// solves d NLL / d log tau = 0 between them. MathNet 5's GoldenSectionMinimizer is not used: it widens the
/// interval beyond the bounds and throws when the optimum lies on a bound, and MathNet 5 has no Brent minimiser.
/// For setup (a) the NLL is convex in 1/tau, so the root is the global optimum.
/// </remarks>
public static class TemperatureScaling
{
    public const double DefaultMinLogTemperature = -5, DefaultMaxLogTemperature = 5;
    const double GridStep = 0.5, RootAccuracy = 1e-10;

    /// <summary>
    /// Fits tau on <paramref name="samples"/> (indices into the test set; all samples when null) and returns it
    /// with the NLL it gives there (the calibrated NLL on the fitting samples).
    /// </summary>
    public static TemperatureFit Fit(MemberLogits ensemble, TemperatureSetup setup, IReadOnlyList<int>? samples = null,
        double minLogTemperature = DefaultMinLogTemperature, double maxLogTemperature = DefaultMaxLogTemperature)
    {
        var tempered = Tempered(ensemble, setup);
        var chosen = SampleIndices(ensemble, samples);
        double logTau = FitLogTemperature(tempered, chosen, minLogTemperature, maxLogTemperature);
        return new TemperatureFit(Math.Exp(logTau), NllAndSlope(tempered, logTau, chosen).Nll);
    }

    /// <summary>NLL of the ensemble at temperature tau on <paramref name="samples"/> (all samples when null).</summary>
    public static double Nll(MemberLogits ensemble, TemperatureSetup setup, double temperature, IReadOnlyList<int>? samples = null)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature)) throw new LandscapeException($"temperature must be positive and finite, got {temperature}");
        return NllAndSlope(Tempered(ensemble, setup), Math.Log(temperature), SampleIndices(ensemble, samples)).Nll;
    }

    /// <summary>The tempered ensemble's probabilities at tau (for the accuracy, ECE or Brier score after calibration).</summary>
    public static EnsemblePrediction Apply(MemberLogits ensemble, TemperatureSetup setup, double temperature)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature)) throw new LandscapeException($"temperature must be positive and finite, got {temperature}");
        return Tempered(ensemble, setup).Ensemble(1 / temperature);
    }

    /// <summary>The members whose logits the temperature divides: the ensemble's log pbar as one member in setup (a).</summary>
    internal static MemberLogits Tempered(MemberLogits ensemble, TemperatureSetup setup) => setup switch
    {
        TemperatureSetup.AfterAveraging => ensemble.EnsembleAsSingleMember(),
        TemperatureSetup.BeforeAveraging => ensemble,
        _ => throw new ArgumentOutOfRangeException(nameof(setup), setup, null),
    };

    internal static double FitLogTemperature(MemberLogits tempered, int[] samples, double lo, double hi)
    {
        if (!(lo < hi) || !double.IsFinite(lo) || !double.IsFinite(hi))
            throw new LandscapeException($"the log-temperature interval [{lo}, {hi}] is empty or not finite");
        int steps = Math.Max(2, (int)Math.Ceiling((hi - lo) / GridStep));
        var grid = Enumerable.Range(0, steps + 1).Select(j => j == steps ? hi : lo + j * (hi - lo) / steps).ToArray();
        var nll = grid.Select(x => NllAndSlope(tempered, x, samples).Nll).ToArray();
        int best = Array.IndexOf(nll, nll.Min());

        double left = grid[Math.Max(best - 1, 0)], right = grid[Math.Min(best + 1, steps)];
        double Slope(double x) => NllAndSlope(tempered, x, samples).Slope;
        double slopeLeft = Slope(left), slopeRight = Slope(right);
        if (best == 0 && slopeLeft >= 0) return lo;       // rising from the lower bound: the optimum is the bound
        if (best == steps && slopeRight <= 0) return hi;  // still falling at the upper bound
        if (slopeLeft < 0 && slopeRight > 0 && Brent.TryFindRoot(Slope, left, right, RootAccuracy, 100, out double root)
            && NllAndSlope(tempered, root, samples).Nll <= nll[best])
            return root;
        return grid[best]; // not a single smooth basin around the best grid point: keep that point
    }

    /// <summary>
    /// Mean over <paramref name="samples"/> of -log (1/M) sum_m softmax(z_m,i / tau)_y_i and its derivative in log tau.
    /// Sums run over fixed chunks of samples in parallel and are added in chunk order, so the result does not
    /// depend on the number of threads.
    /// </summary>
    internal static (double Nll, double Slope) NllAndSlope(MemberLogits tempered, double logTemperature, int[] samples)
    {
        const int chunk = 256;
        double beta = Math.Exp(-logTemperature);
        int members = tempered.Members, chunks = (samples.Length + chunk - 1) / chunk;
        double logMembers = Math.Log(members);
        var nllParts = new double[chunks];
        var slopeParts = new double[chunks];
        Parallel.For(0, chunks, c =>
        {
            var logTrue = new double[members]; // log softmax(beta z_m)_y
            var gap = new double[members];     // z_m,y - E_softmax(beta z_m)[z_m]
            double nll = 0, slope = 0;
            for (int s = c * chunk; s < Math.Min(samples.Length, (c + 1) * chunk); s++)
            {
                int i = samples[s], y = tempered.Labels[i];
                for (int m = 0; m < members; m++)
                {
                    var z = tempered.Row(m, i);
                    double max = MemberLogits.Max(z), sum = 0, weighted = 0;
                    foreach (double v in z)
                    {
                        double e = Math.Exp(beta * (v - max));
                        sum += e;
                        weighted += e * v;
                    }
                    logTrue[m] = beta * (z[y] - max) - Math.Log(sum);
                    gap[m] = z[y] - weighted / sum;
                }
                double top = MemberLogits.Max(logTrue), total = 0, dot = 0;
                for (int m = 0; m < members; m++)
                {
                    double w = Math.Exp(logTrue[m] - top);
                    total += w;
                    dot += w * gap[m];
                }
                nll -= top + Math.Log(total) - logMembers;
                slope += beta * dot / total; // d(-log p_y)/d log tau = -(d log p_y / d beta)(-beta)
            }
            nllParts[c] = nll;
            slopeParts[c] = slope;
        });
        double nllSum = 0, slopeSum = 0;
        for (int c = 0; c < chunks; c++) { nllSum += nllParts[c]; slopeSum += slopeParts[c]; }
        return (nllSum / samples.Length, slopeSum / samples.Length);
    }

    static int[] SampleIndices(MemberLogits ensemble, IReadOnlyList<int>? samples)
    {
        if (samples is null) return Enumerable.Range(0, ensemble.Samples).ToArray();
        if (samples.Count == 0) throw new LandscapeException("temperature scaling needs at least one sample");
        var chosen = samples.ToArray();
        int bad = Array.FindIndex(chosen, i => i < 0 || i >= ensemble.Samples);
        if (bad >= 0) throw new LandscapeException($"sample {chosen[bad]} is outside [0, {ensemble.Samples})");
        return chosen;
    }
}
