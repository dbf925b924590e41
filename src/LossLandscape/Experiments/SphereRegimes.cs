using System.Text.Json;
using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments;

/// <summary>
/// Training on the sphere in three regimes (Kodryan et al. 2022): a scale-invariant model trained by plain SGD with its
/// scale-invariant weights held at their initial norm rho0 (lr = ELR * rho0^2, no weight decay), for a grid of
/// effective learning rates; each run is named converging, chaotic equilibrium or diverging by <see cref="SphereRegimeRule"/>.
/// </summary>
public sealed record SphereRegimesSettings(
    ModelSpec? Model = null,
    string Dataset = "fashion-mnist",
    string? DataDir = null,
    int? TrainSize = 2000,
    int? TestSize = 1000,
    double[]? EffectiveLearningRates = null,
    int Epochs = 100,
    int BatchSize = 128,
    int[]? Seeds = null,
    SphereRegimeRule? Rule = null)
{
    /// <summary>The grid of Kodryan et al. (2022).</summary>
    public static readonly double[] PaperGrid = { 1e-5, 1e-4, 5e-4, 1e-3, 2e-3, 5e-3, 5e-2, 1e-1 };

    public ModelSpec ModelOrDefault => Model ?? new ModelSpec("mlp-si", 256, 2);
    public double[] EffectiveLearningRatesOrDefault => EffectiveLearningRates ?? PaperGrid;
    public int[] SeedsOrDefault => Seeds ?? new[] { 0, 1 };
    public SphereRegimeRule RuleOrDefault => Rule ?? new SphereRegimeRule();

    /// <summary>
    /// Smoke: a tiny MLP-SI, three ELRs, for CI. Quick: MLP-SI 784-256-256-10 on 2,000 Fashion-MNIST images, the paper's
    /// ELR grid, 60 epochs of 16 steps, two seeds. Paper: ConvNetSI (c = 32) on CIFAR-10 with the paper's grid, batch 128,
    /// 200 epochs (unverified: EXPERIMENTS.md gives no epoch count for sphere training).
    /// </summary>
    public static SphereRegimesSettings For(Preset preset) => preset switch
    {
        Preset.Smoke => new(new ModelSpec("mlp-si", 32, 1), TrainSize: 256, TestSize: 200, EffectiveLearningRates: new[] { 1e-4, 1e-2, 1.0 }, Epochs: 10, Seeds: new[] { 0 }),
        Preset.Quick => new(Epochs: 60),
        Preset.Paper => new(new ModelSpec("convnet-si", 32), "cifar-10", TrainSize: null, TestSize: null, Epochs: 200, Seeds: new[] { 0, 1, 2 }),
        _ => throw new LandscapeException($"unknown preset {preset}"),
    };

    public void Validate()
    {
        if (Epochs < 2) throw new LandscapeException($"the sphere experiment needs at least 2 epochs, got {Epochs}");
        if (EffectiveLearningRatesOrDefault.Length == 0 || EffectiveLearningRatesOrDefault.Any(e => !(e > 0) || double.IsInfinity(e)))
            throw new LandscapeException("effective learning rates must be positive");
        if (SeedsOrDefault.Length == 0) throw new LandscapeException("at least one seed");
    }
}

/// <param name="LearningRate">The plain learning rate used, ELR * Radius^2.</param>
/// <param name="Radius">rho0, the norm the scale-invariant weights were held at.</param>
public sealed record SphereRun(double EffectiveLearningRate, int Seed, double LearningRate, double Radius, RegimeCall Call,
    double FinalTrainAccuracy, double FinalTestAccuracy, string Status, string RunPath);

public sealed record SphereRegimesReport(SphereRegimesSettings Settings, IReadOnlyList<SphereRun> Runs, IReadOnlyList<Verdict> Verdicts, double Seconds);

public static class SphereRegimes
{
    public static SphereRegimesReport Run(SphereRegimesSettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        s.Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var runs = new List<SphereRun>();
        var curves = new Dictionary<(double Elr, int Seed), IReadOnlyList<MetricsRow>>();
        int classes = 0;
        foreach (var seed in s.SeedsOrDefault)
        {
            var dataSettings = new DataSettings(s.Dataset, s.DataDir, s.TrainSize, s.TestSize);
            using var data = dataSettings.Load(seed, device);
            classes = data.Train.Classes;
            foreach (var elr in s.EffectiveLearningRatesOrDefault)
            {
                var run = RunDirectory.Create(output.File($"elr{ScaleInvariantRun.Label(elr)}-s{seed}"));
                var basis = new TrainSettings(s.Epochs, s.BatchSize, new OptimizerSettings(OptimizerKind.Sgd, 1, Momentum: 0), new LrSchedule(), seed, CheckpointEvery: 0);
                TrainSettings? used = null;
                var (result, _) = ScaleInvariantRun.Train(run, s.ModelOrDefault, dataSettings, data, seed, device,
                    model => used = SphereSettings.FixEffectiveLearningRate(basis, model, elr));
                var call = s.RuleOrDefault.Classify(result.Rows.Select(r => r.TrainLoss).ToList(), data.Train.Classes, result.Status == RunStatus.Diverged);
                var final = result.Final;
                var outcome = new SphereRun(elr, seed, used!.OptimizerOrDefault.LearningRate, used.Sphere!.Radius, call,
                    final?.TrainAccuracy ?? double.NaN, final?.TestAccuracy ?? double.NaN,
                    result.Status == RunStatus.Diverged ? $"diverged: {result.Detail}" : "completed", run.Path);
                runs.Add(outcome);
                curves[(elr, seed)] = result.Rows;
                log?.Invoke($"ELR {ScaleInvariantRun.Label(elr)} seed {seed} (lr {outcome.LearningRate:G4}, rho0 {outcome.Radius:G4}): {Name(call.Regime)}; final train loss {call.FinalLoss:G3} " +
                            $"(previous window {call.PreviousLoss:G3}, fluctuation {call.Fluctuation:P0}), test accuracy {outcome.FinalTestAccuracy:P2}");
            }
        }
        var verdicts = Judge(s, runs, log);
        foreach (var v in verdicts) log?.Invoke(v.Describe());
        Plot(s, runs, curves, output, Math.Log(classes));
        var report = new SphereRegimesReport(s, runs, verdicts, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(output.File("sphere.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    public static string Name(SphereRegime regime) => regime switch
    {
        SphereRegime.Converging => "converging",
        SphereRegime.ChaoticEquilibrium => "chaotic equilibrium",
        _ => "diverging",
    };

    /// <summary>Per seed effects, signed so that positive means "as claimed".</summary>
    static List<Verdict> Judge(SphereRegimesSettings s, List<SphereRun> runs, Action<string>? log)
    {
        var verdicts = new List<Verdict>();
        var bySeed = runs.GroupBy(r => r.Seed).Select(g => g.OrderBy(r => r.EffectiveLearningRate).ToList()).ToList();
        // +1 when the seed shows all three regimes and they follow the order of ELR, -1 otherwise.
        verdicts.Add(Verdict.Of("all three regimes appear, in order of increasing ELR: converging, chaotic equilibrium, diverging (+1 yes, -1 no)",
            bySeed.Select(r => OrderedAndComplete(r.Select(x => x.Call.Regime).ToList()) ? 1.0 : -1.0).ToArray()));
        var slopes = bySeed.Select(r => r.Where(x => x.Call.Regime == SphereRegime.ChaoticEquilibrium).ToList())
            .Where(c => c.Count >= 3)
            .Select(c => PowerLaws.Spearman(c.Select(x => x.EffectiveLearningRate).ToList(), c.Select(x => x.Call.FinalLoss).ToList())).ToArray();
        if (slopes.Length > 0)
            verdicts.Add(Verdict.Of("in chaotic equilibrium the stationary train loss rises with ELR (Spearman correlation over the seed's chaotic runs)", slopes));
        else
            log?.Invoke("no seed has three or more runs in chaotic equilibrium: the loss level in that regime is not judged");
        return verdicts;
    }

    static bool OrderedAndComplete(IReadOnlyList<SphereRegime> sortedByElr) =>
        sortedByElr.Distinct().Count() == 3 && sortedByElr.Zip(sortedByElr.Skip(1), (a, b) => a <= b).All(x => x);

    static void Plot(SphereRegimesSettings s, List<SphereRun> runs, Dictionary<(double Elr, int Seed), IReadOnlyList<MetricsRow>> curves, RunDirectory output, double chance)
    {
        var scatter = new ScatterPlot($"Sphere training ({s.ModelOrDefault.Kind}): final train loss by ELR",
            "effective learning rate (ELR)", "final train loss (mean of the last window)") { XScale = AxisScale.Log10, YScale = AxisScale.Log10 };
        foreach (var regime in Enum.GetValues<SphereRegime>())
        {
            var group = runs.Where(r => r.Call.Regime == regime && double.IsFinite(r.Call.FinalLoss)).ToList();
            if (group.Count > 0) scatter.Add(Name(regime), group.Select(r => r.EffectiveLearningRate).ToList(), group.Select(r => r.Call.FinalLoss).ToList());
        }
        scatter.AddHorizontalLine(chance, "chance, ln(classes)").Save(output.File("regimes"));
        int first = s.SeedsOrDefault[0];
        var loss = new LinePlot($"Training on the sphere: train loss per epoch (seed {first})", "epoch", "train loss") { YScale = AxisScale.Log10 };
        foreach (var elr in s.EffectiveLearningRatesOrDefault)
            if (curves.TryGetValue((elr, first), out var rows))
                loss.Add($"ELR {ScaleInvariantRun.Label(elr)}", rows.Select(r => (double)r.Epoch).ToArray(), rows.Select(r => r.TrainLoss).ToArray());
        loss.Save(output.File("train-loss"));
    }
}
