using LossLandscape.Training.Samplers;
using static TorchSharp.torch;

namespace LossLandscape.Experiments.Langevin;

/// <summary>
/// The mode-finding toy (Zhang et al. 2020, section 5.1): SGLD with a decaying step and cyclical SGLD sample the
/// 25-Gaussian mixture with the same budget of gradient evaluations per chain. Each sampler's initial step eps_0 is
/// chosen from one grid on tuning chains, by the mean number of modes found, ties broken by the lower mean
/// total-variation distance of the mode occupancy (<see cref="ModeCoverage.TotalVariation"/>); it is then measured on
/// separate evaluation chains.
/// </summary>
/// <param name="Steps">Gradient evaluations per chain (the paper: 50,000).</param>
/// <param name="Cycles">Cycles of cSGLD (the paper: 30).</param>
/// <param name="StepGrid">Candidate eps_0 (Welling-Teh convention: drift eps/2 grad U; Zhang et al.'s alpha_0 = eps_0 / 2).
/// For SGLD eps_0 is the first step, for cSGLD the top of each cycle.</param>
/// <param name="SgldB">b of SGLD's eps_t = a (b + t)^-gamma (a follows from eps_0).</param>
/// <param name="SgldGamma">gamma of SGLD's decay.</param>
/// <param name="ExplorationFractions">One cSGLD variant per fraction beta of each cycle explored without noise
/// (0: noise throughout, as the paper's toy code).</param>
/// <param name="GradientNoise">Std of Gaussian noise added to each exact gradient, standing in for minibatch noise (the paper's toy: 1).</param>
/// <param name="StartHalfWidth">Chains start uniformly in [-w, w]^2 (the paper: 10).</param>
/// <param name="ModeRadius">A sample within this distance of a centre belongs to that mode (0.5 holds 98.5% of a component's mass).</param>
/// <param name="MinSamplesPerMode">A mode is found when at least this many of a chain's samples belong to it.</param>
public sealed record MixtureModesSettings(
    int Steps = 50000,
    int Cycles = 30,
    double[]? StepGrid = null,
    int TuningChains = 4,
    int Chains = 8,
    double SgldB = 10,
    double SgldGamma = 0.55,
    double[]? ExplorationFractions = null,
    double GradientNoise = 1,
    double StartHalfWidth = 10,
    double ModeRadius = 0.5,
    int MinSamplesPerMode = 10)
{
    public double[] StepGridOrDefault => StepGrid ?? new[] { 0.01, 0.02, 0.04, 0.08, 0.16 };
    public double[] ExplorationFractionsOrDefault => ExplorationFractions ?? new[] { 0.0, 0.5 };

    public void Validate()
    {
        if (Steps < 10 || Cycles < 1 || Cycles > Steps) throw new LandscapeException("the toy needs at least 10 steps and 1 <= cycles <= steps");
        if (StepGridOrDefault.Length == 0 || StepGridOrDefault.Any(e => !(e > 0))) throw new LandscapeException("the step grid needs positive values");
        if (TuningChains < 1 || Chains < 1) throw new LandscapeException("the toy needs at least one tuning and one evaluation chain");
        if (ExplorationFractionsOrDefault.Any(b => b is < 0 or >= 1)) throw new LandscapeException("exploration fractions must lie in [0, 1)");
        if (!(ModeRadius > 0 && ModeRadius < 1) || MinSamplesPerMode < 1) throw new LandscapeException("the mode radius must lie in (0, 1) (half the grid spacing) and the sample threshold be at least 1");
    }
}

/// <summary>One candidate eps_0 of one sampler: the tuning chains' mean modes found and occupancy distance, and chains that diverged.</summary>
public sealed record StepCandidate(double InitialStep, double TuningModes, double TuningTotalVariation, int DivergedChains);

/// <summary>One evaluation chain at the chosen eps_0.</summary>
public sealed record ChainCoverage(int Chain, int ModesFound, double TotalVariation, double OffModeShare, int Samples, bool Diverged);

/// <summary>A sampler of the toy: its grid, the chosen eps_0, and its evaluation chains.</summary>
/// <param name="PooledModes">Modes found by the evaluation chains' samples taken together (a mode's samples summed over chains).</param>
public sealed record ToySamplerResult(string Name, string Schedule, IReadOnlyList<StepCandidate> Grid, double ChosenStep,
    IReadOnlyList<ChainCoverage> Chains, double MeanModes, int PooledModes)
{
    /// <summary>Samples of evaluation chain 0 at the chosen step (thinned), for the figure; not written to the report.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public (double[] X, double[] Y) Samples { get; init; } = (Array.Empty<double>(), Array.Empty<double>());
}

public static class MixtureModes
{
    const int FigureSamples = 5000;

    /// <summary>SGLD and each cSGLD variant, tuned and measured; the first result is SGLD.</summary>
    public static IReadOnlyList<ToySamplerResult> Run(MixtureModesSettings s, int seed, Action<string>? log = null)
    {
        s.Validate();
        using var mixture = GaussianGridMixture.TwentyFive();
        var results = new List<ToySamplerResult>
        {
            Tune(mixture, s, seed, "SGLD", $"eps_t = a (b + t)^-{s.SgldGamma}, b = {s.SgldB}, eps_0 = a b^-{s.SgldGamma}",
                eps => PolynomialDecay.FromInitial(eps, s.SgldB, s.SgldGamma), log),
        };
        foreach (double beta in s.ExplorationFractionsOrDefault)
            results.Add(Tune(mixture, s, seed, beta == 0 ? "cSGLD" : $"cSGLD (beta {beta:G3})",
                $"{s.Cycles} cosine cycles, noise from cycle position {beta:G3}",
                eps => new CyclicalSchedule(eps, s.Steps, s.Cycles, beta).Validated(), log));
        return results;
    }

    static ToySamplerResult Tune(GaussianGridMixture mixture, MixtureModesSettings s, int seed, string name, string description,
        Func<double, ISamplerSchedule> schedule, Action<string>? log)
    {
        var grid = new List<StepCandidate>();
        var runs = new List<(double Eps, ModeCoverage[] Coverage, bool[] Diverged, (double[] X, double[] Y) Figure)>();
        foreach (double eps in s.StepGridOrDefault)
        {
            var (coverage, diverged, figure) = Simulate(mixture, schedule(eps), s, seed);
            var tuning = coverage.Take(s.TuningChains).ToList();
            grid.Add(new StepCandidate(eps, tuning.Average(c => c.ModesFound), tuning.Average(c => c.TotalVariation), diverged.Count(d => d)));
            runs.Add((eps, coverage, diverged, figure));
            log?.Invoke($"{name}, eps_0 {eps:G3}: tuning chains find {grid[^1].TuningModes:G3} modes, occupancy distance {grid[^1].TuningTotalVariation:F3}");
        }
        var best = grid.OrderByDescending(g => g.TuningModes).ThenBy(g => g.TuningTotalVariation).First();
        var chosen = runs.Single(r => r.Eps == best.InitialStep);
        var evaluation = chosen.Coverage.Skip(s.TuningChains).ToList();
        var chains = evaluation
            .Select((c, i) => new ChainCoverage(i, c.ModesFound, c.TotalVariation, c.OffModeShare, c.Samples, chosen.Diverged[s.TuningChains + i])).ToList();
        int pooled = Enumerable.Range(0, mixture.Modes).Count(j => evaluation.Sum(c => c.SamplesPerMode[j]) >= s.MinSamplesPerMode);
        log?.Invoke($"{name}: eps_0 {best.InitialStep:G3} chosen; evaluation chains find {string.Join(", ", chains.Select(c => c.ModesFound))} of {mixture.Modes} modes, " +
                    $"{pooled} taken together");
        return new ToySamplerResult(name, description, grid, best.InitialStep, chains, chains.Average(c => c.ModesFound), pooled) { Samples = chosen.Figure };
    }

    /// <summary>
    /// Runs tuning and evaluation chains together as the rows of one parameter tensor (the energy is a sum over rows, so
    /// they are independent chains); every step's iterate is a sample when the schedule sampled on that step. A chain
    /// diverged when its last iterate is not finite.
    /// </summary>
    static (ModeCoverage[] Coverage, bool[] Diverged, (double[] X, double[] Y) Figure) Simulate(GaussianGridMixture mixture, ISamplerSchedule schedule,
        MixtureModesSettings s, int seed)
    {
        int chains = s.TuningChains + s.Chains, steps = s.Steps;
        using var oneThread = TorchRuntime.SingleThreaded();
        using var starts = new Generator((ulong)seed);
        using var gradientNoise = new Generator((ulong)seed ^ 0x9e3779b97f4a7c15UL);
        using var theta = rand(new long[] { chains, 2 }, dtype: ScalarType.Float64, generator: starts).mul_(2 * s.StartHalfWidth).sub_(s.StartHalfWidth);
        using var sampler = new Sgld(new[] { theta }, schedule, temperature: 1, seed: seed);
        using var trajectory = empty(new long[] { steps, chains, 2 }, dtype: ScalarType.Float32);
        var kept = new bool[steps];
        for (int k = 0; k < steps; k++)
        {
            using var scope = NewDisposeScope();
            kept[k] = schedule.IsSampling(k);
            var gradient = mixture.Gradient(theta);
            if (s.GradientNoise > 0)
                gradient.add_(randn(new long[] { chains, 2 }, dtype: ScalarType.Float64, generator: gradientNoise), alpha: s.GradientNoise);
            sampler.Step(new[] { gradient });
            trajectory[k].copy_(theta);
        }
        var values = trajectory.data<float>().ToArray(); // [step, chain, xy]
        using var finite = theta.isfinite().all(1);
        var diverged = finite.data<bool>().Select(f => !f).ToArray();
        var coverage = new ModeCoverage[chains];
        (double[] X, double[] Y) figure = default;
        for (int c = 0; c < chains; c++)
        {
            var x = new List<double>();
            var y = new List<double>();
            for (int k = 0; k < steps; k++)
            {
                if (!kept[k]) continue;
                x.Add(values[(k * chains + c) * 2]);
                y.Add(values[(k * chains + c) * 2 + 1]);
            }
            coverage[c] = mixture.Coverage(x, y, s.ModeRadius, s.MinSamplesPerMode);
            if (c == s.TuningChains) figure = Thin(x, y);
        }
        return (coverage, diverged, figure);
    }

    static (double[] X, double[] Y) Thin(List<double> x, List<double> y)
    {
        int every = Math.Max(1, x.Count / FigureSamples);
        var keep = Enumerable.Range(0, x.Count).Where(i => i % every == 0 && double.IsFinite(x[i]) && double.IsFinite(y[i])).ToList();
        return (keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray());
    }
}
