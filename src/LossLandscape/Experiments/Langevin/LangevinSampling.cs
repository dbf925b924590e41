using System.Text.Json;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using static TorchSharp.torch;

namespace LossLandscape.Experiments.Langevin;

/// <summary>
/// SGD as sampling (the talk's "Langevin dynamics" part; Welling &amp; Teh 2011, Mandt et al. 2017, Zhang et al. 2020):
/// <see cref="MixtureModes"/> (SGLD vs cyclical SGLD on 25 Gaussians), <see cref="SgdStationarity"/> (constant-LR SGD's
/// stationary covariance vs the Ornstein-Uhlenbeck prediction, and its temperature eta / S) and <see cref="PosteriorGap"/>
/// (the generalisation gap of SGLD's sample average vs SGD's end point on Fashion-MNIST).
/// </summary>
/// <param name="ToySeed">Seed of the toy's chains (their start points and noise); the toy's replicates are its chains.</param>
/// <param name="Seeds">Seeds of the OU problems and of the Fashion-MNIST runs (data subset, initialisation, noise).</param>
public sealed record LangevinSettings(
    MixtureModesSettings? Toy = null,
    SgdStationaritySettings? Stationarity = null,
    PosteriorGapSettings? Gap = null,
    int ToySeed = 0,
    int[]? Seeds = null,
    string? DataDir = null)
{
    public MixtureModesSettings ToyOrDefault => Toy ?? new MixtureModesSettings();
    public SgdStationaritySettings StationarityOrDefault => Stationarity ?? new SgdStationaritySettings();
    public PosteriorGapSettings GapOrDefault => Gap ?? new PosteriorGapSettings();
    public int[] SeedsOrDefault => Seeds ?? new[] { 0, 1, 2 };

    public static LangevinSettings For(Preset preset) => preset switch
    {
        Preset.Smoke => new(
            new MixtureModesSettings(Steps: 2000, Cycles: 4, StepGrid: new[] { 0.02, 0.08 }, TuningChains: 2, Chains: 2),
            new SgdStationaritySettings(Curvatures: new[] { 1.0, 0.4 }, Samples: 200, LearningRates: new[] { 0.05, 0.1 }, BatchSizes: new[] { 1, 4 },
                Chains: 64, Time: 60, BurnInTime: 20, Tolerance: 0.15),
            new PosteriorGapSettings(TrainSize: 500, TestSize: 500, Width: 32, Epochs: 4, SampleEvery: 2),
            Seeds: new[] { 0, 1 }),
        Preset.Quick => new(),
        Preset.Paper => new(
            new MixtureModesSettings(TuningChains: 8, Chains: 20),
            new SgdStationaritySettings(Chains: 512, Time: 1000),
            new PosteriorGapSettings(TrainSize: 10000, TestSize: 10000, Width: 256, Depth: 2, Epochs: 100),
            Seeds: new[] { 0, 1, 2, 3, 4 }),
        _ => throw new LandscapeException($"unknown preset {preset}"),
    };

    public void Validate()
    {
        ToyOrDefault.Validate();
        StationarityOrDefault.Validate();
        GapOrDefault.Validate();
        if (SeedsOrDefault.Length == 0) throw new LandscapeException("give at least one seed");
    }
}

/// <param name="Findings">Measured numbers beside the published ones, in words.</param>
public sealed record LangevinReport(LangevinSettings Settings, IReadOnlyList<ToySamplerResult> Toy, IReadOnlyList<StationaritySeed> Stationarity,
    IReadOnlyList<PosteriorGapSeed> Gap, IReadOnlyList<Verdict> Verdicts, IReadOnlyList<string> Findings, double Seconds);

public static class LangevinSampling
{
    public const string ReportFile = "langevin.json";

    public static LangevinReport Run(LangevinSettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        s.Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var toy = MixtureModes.Run(s.ToyOrDefault, s.ToySeed, log);
        var stationarity = s.SeedsOrDefault.Select(seed => SgdStationarity.Run(s.StationarityOrDefault, seed, log)).ToList();
        var gap = s.SeedsOrDefault.Select(seed => PosteriorGap.Run(s.GapOrDefault, seed, s.DataDir, device, log)).ToList();
        var (verdicts, findings) = Judge(s, toy, stationarity, gap);
        foreach (var line in verdicts.Select(v => v.Describe()).Concat(findings)) log?.Invoke(line);
        var report = new LangevinReport(s, toy, stationarity, gap, verdicts, findings, clock.Elapsed.TotalSeconds);
        LangevinFigures.Save(report, output.File("figures"));
        AtomicFile.WriteAllText(output.File(ReportFile), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    static (List<Verdict> Verdicts, List<string> Findings) Judge(LangevinSettings s, IReadOnlyList<ToySamplerResult> toy,
        IReadOnlyList<StationaritySeed> stationarity, IReadOnlyList<PosteriorGapSeed> gap)
    {
        var verdicts = new List<Verdict>();
        var findings = new List<string>();
        var t = s.ToyOrDefault;
        var sgld = toy[0];
        int modes = 25;
        findings.Add($"toy: SGLD (eps_0 {sgld.ChosenStep:G3}) finds {sgld.MeanModes:G3} of {modes} modes per chain on average, {sgld.PooledModes} with its " +
                     $"{sgld.Chains.Count} evaluation chains taken together (published: about 4)");
        foreach (var cyclical in toy.Skip(1))
        {
            var effects = cyclical.Chains.Zip(sgld.Chains, (c, b) => (double)(c.ModesFound - b.ModesFound)).ToList();
            verdicts.Add(Verdict.Of($"{cyclical.Name} finds more modes than SGLD with the same budget ({t.Steps} gradient evaluations per chain, eps_0 of each tuned on the same grid)",
                effects, " modes", "chain"));
            verdicts.Add(Verdict.Of($"{cyclical.Name} finds all {modes} modes (modes found minus {modes - 0.5})",
                cyclical.Chains.Select(c => c.ModesFound - (modes - 0.5)).ToList(), " modes", "chain"));
            findings.Add($"toy: {cyclical.Name} (eps_0 {cyclical.ChosenStep:G3}) finds {cyclical.MeanModes:G3} of {modes} modes per chain on average, " +
                         $"{cyclical.PooledModes} taken together (published: all 25); " +
                         $"occupancy distance {cyclical.Chains.Average(c => c.TotalVariation):F3} vs SGLD's {sgld.Chains.Average(c => c.TotalVariation):F3}");
        }

        var o = s.StationarityOrDefault;
        verdicts.Add(Verdict.Of($"constant-LR SGD's stationary covariance matches the OU prediction H Sigma + Sigma H = (eta/S) C at every (eta, S) " +
                                $"(tolerance minus the largest relative Frobenius error; tolerance {o.Tolerance:P0})",
            stationarity.Select(r => o.Tolerance - r.MaxErrorOu).ToList()));
        verdicts.Add(Verdict.Of("the stationary variance is proportional to eta/S, a temperature (0.1 minus |slope - 1| of log tr Sigma against log(eta/S))",
            stationarity.Select(r => 0.1 - Math.Abs(r.Slope - 1)).ToList()));
        findings.Add($"OU: largest relative Frobenius error per seed {string.Join(", ", stationarity.Select(r => r.MaxErrorOu.ToString("P1")))} " +
                     $"(exact discrete Lyapunov: {string.Join(", ", stationarity.Select(r => r.MaxErrorExact.ToString("P1")))}); " +
                     $"slope of log tr Sigma against log(eta/S): {string.Join(", ", stationarity.Select(r => r.Slope.ToString("F3")))}");

        verdicts.Add(Verdict.Of("SGLD's sample average has a smaller generalisation gap (train minus test accuracy) than SGD's end point",
            gap.Select(g => g.Sgd.AccuracyGap - g.SgldAverage.AccuracyGap).ToList(), " (accuracy)"));
        verdicts.Add(Verdict.Of("SGLD's sample average has a smaller loss gap (test minus train cross-entropy) than SGD's end point",
            gap.Select(g => g.Sgd.LossGap - g.SgldAverage.LossGap).ToList(), " nats"));
        findings.Add($"Fashion-MNIST: accuracy gap SGD {Mean(gap, g => g.Sgd.AccuracyGap):P2}, SGLD average {Mean(gap, g => g.SgldAverage.AccuracyGap):P2}, " +
                     $"last SGLD sample {Mean(gap, g => g.SgldLastSample.AccuracyGap):P2}; test accuracy SGD {Mean(gap, g => g.Sgd.TestAccuracy):P2}, " +
                     $"SGLD average {Mean(gap, g => g.SgldAverage.TestAccuracy):P2}; test NLL SGD {Mean(gap, g => g.Sgd.TestLoss):F3}, SGLD average {Mean(gap, g => g.SgldAverage.TestLoss):F3}");
        return (verdicts, findings);
    }

    static double Mean<T>(IEnumerable<T> items, Func<T, double> f) => items.Average(f);
}
