using System.Text.Json;
using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Sharpness;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments;

/// <summary>
/// The periodic behaviour of training with BatchNorm and weight decay (Lobacheva et al. 2021): a scale-invariant model
/// trained by plain SGD (no momentum) with a constant learning rate, weight decay and no augmentation. Weight decay
/// shrinks rho = ||w_SI||, so the effective learning rate eta / rho^2 grows until training destabilises; the
/// destabilisation throws rho up again, and the cycle repeats. Periods of rho are counted by <see cref="NormPeriods"/>.
/// </summary>
/// <param name="Drop">A period needs rho to fall by at least this fraction from its peak ...</param>
/// <param name="Rise">... and then to rise by at least this fraction above its trough.</param>
/// <param name="SharpnessEvery">Measure the scale-invariant sharpness (<see cref="ScaleInvariantSharpness"/>) every this many epochs; 0: never.</param>
public sealed record ScaleInvarianceSettings(
    ModelSpec? Model = null,
    string Dataset = "fashion-mnist",
    string? DataDir = null,
    int? TrainSize = 2000,
    int? TestSize = 1000,
    double[]? LearningRates = null,
    double WeightDecay = 1e-3,
    int Epochs = 400,
    int BatchSize = 128,
    int[]? Seeds = null,
    double Drop = 0.3,
    double Rise = 0.05,
    int SharpnessEvery = 0,
    int SharpnessSamples = 512)
{
    public ModelSpec ModelOrDefault => Model ?? new ModelSpec("mlp-si", 256, 2);
    public double[] LearningRatesOrDefault => LearningRates ?? new[] { 1.0 };
    public int[] SeedsOrDefault => Seeds ?? new[] { 0, 1, 2 };

    /// <summary>
    /// Smoke: a tiny MLP-SI for CI. Quick: MLP-SI 784-256-256-10 on 2,000 Fashion-MNIST images, the paper's largest
    /// learning rate 1.0 and weight decay 1e-3 (eta lambda sets how fast rho decays, so the largest rate shows the most
    /// periods in a short run), 400 epochs of 16 steps, the scale-invariant sharpness every 10 epochs on 512 training images. Paper: ConvNetSI (c = 32) on CIFAR-10, learning rates
    /// 1.0, 0.03, 0.01, 0.001, weight decay 1e-3, batch 128, 1,000 epochs, sharpness every 10 epochs.
    /// </summary>
    public static ScaleInvarianceSettings For(Preset preset) => preset switch
    {
        Preset.Smoke => new(new ModelSpec("mlp-si", 32, 1), TrainSize: 256, TestSize: 200, Epochs: 20, Seeds: new[] { 0 }, SharpnessEvery: 10, SharpnessSamples: 128),
        Preset.Quick => new(SharpnessEvery: 10),
        Preset.Paper => new(new ModelSpec("convnet-si", 32), "cifar-10", TrainSize: null, TestSize: null, LearningRates: new[] { 1.0, 0.03, 0.01, 0.001 }, Epochs: 1000, SharpnessEvery: 10),
        _ => throw new LandscapeException($"unknown preset {preset}"),
    };

    public void Validate()
    {
        if (Epochs < 2) throw new LandscapeException($"the periodic-behaviour experiment needs at least 2 epochs, got {Epochs}");
        if (LearningRatesOrDefault.Length == 0 || LearningRatesOrDefault.Any(lr => !(lr > 0) || double.IsInfinity(lr))) throw new LandscapeException("learning rates must be positive");
        if (WeightDecay < 0) throw new LandscapeException($"weight decay must be non-negative, got {WeightDecay}");
        if (SeedsOrDefault.Length == 0) throw new LandscapeException("at least one seed");
        if (!(Drop > 0 && Drop < 1) || !(Rise >= 0)) throw new LandscapeException("the period drop must lie in (0, 1) and the rise be non-negative");
        if (SharpnessEvery < 0 || SharpnessSamples < 1) throw new LandscapeException("--sharpness-every must be non-negative and the sharpness subset non-empty");
    }
}

/// <summary>One period of rho with epochs (1-based) and what happened to the training loss.</summary>
/// <param name="LossSpike">Largest train loss from the trough to the rise over the median train loss from the peak to the trough.</param>
public sealed record RhoPeriod(int PeakEpoch, int TroughEpoch, int RiseEpoch, double PeakNorm, double TroughNorm, double Amplitude,
    double EffectiveLearningRateAtTrough, double LossSpike);

/// <param name="InitialNorm">rho at initialisation.</param>
/// <param name="FinalNorm">rho after the last epoch.</param>
/// <param name="PeriodLengths">Epochs between consecutive peaks.</param>
public sealed record PeriodicRun(double LearningRate, int Seed, string Status, double InitialNorm, double FinalNorm,
    IReadOnlyList<RhoPeriod> Periods, IReadOnlyList<int> PeriodLengths, double FinalTrainLoss, double FinalTestAccuracy, string RunPath);

public sealed record ScaleInvarianceReport(ScaleInvarianceSettings Settings, IReadOnlyList<PeriodicRun> Runs, IReadOnlyList<Verdict> Verdicts, double Seconds);

public static class ScaleInvariance
{
    public static ScaleInvarianceReport Run(ScaleInvarianceSettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        s.Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var runs = new List<PeriodicRun>();
        var curves = new Dictionary<(double Lr, int Seed), IReadOnlyList<MetricsRow>>();
        foreach (var seed in s.SeedsOrDefault)
        {
            var dataSettings = new DataSettings(s.Dataset, s.DataDir, s.TrainSize, s.TestSize);
            using var data = dataSettings.Load(seed, device);
            foreach (var lr in s.LearningRatesOrDefault)
            {
                var run = RunDirectory.Create(output.File($"lr{ScaleInvariantRun.Label(lr)}-s{seed}"));
                using var sharpness = s.SharpnessEvery > 0
                    ? new ScaleInvariantSharpness(data.Train, new ScaleInvariantSharpnessSettings(s.SharpnessSamples, s.SharpnessEvery, Seed: seed))
                    : null;
                var training = new TrainSettings(s.Epochs, s.BatchSize, new OptimizerSettings(OptimizerKind.Sgd, lr, Momentum: 0, WeightDecay: s.WeightDecay),
                    new LrSchedule(), seed, CheckpointEvery: 0);
                var (result, initialNorm) = ScaleInvariantRun.Train(run, s.ModelOrDefault, dataSettings, data, seed, device, _ => training,
                    sharpness is null ? null : new ITrainingCallback[] { sharpness });
                var outcome = Analyse(s, lr, seed, result, initialNorm, run.Path);
                runs.Add(outcome);
                curves[(lr, seed)] = result.Rows;
                log?.Invoke($"lr {lr} seed {seed}: {outcome.Periods.Count} period(s) of rho" +
                            (outcome.Periods.Count > 0 ? $" (peaks at epochs {string.Join(", ", outcome.Periods.Select(p => p.PeakEpoch))}; amplitudes " +
                                                         $"{string.Join(", ", outcome.Periods.Select(p => p.Amplitude.ToString("P0")))})" : "") +
                            $"; rho {outcome.InitialNorm:G4} -> {outcome.FinalNorm:G4}; final train loss {outcome.FinalTrainLoss:G3}, test accuracy {outcome.FinalTestAccuracy:P2}");
            }
        }
        var verdicts = Judge(s, runs);
        foreach (var v in verdicts) log?.Invoke(v.Describe());
        Plot(s, curves, output);
        var report = new ScaleInvarianceReport(s, runs, verdicts, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(output.File("scale-invariance.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    static PeriodicRun Analyse(ScaleInvarianceSettings s, double lr, int seed, TrainingResult result, double initial, string path)
    {
        var rows = result.Rows;
        var rho = rows.Select(r => r.Extra[ScaleInvariantMetrics.NormColumn]).TakeWhile(v => v > 0 && double.IsFinite(v)).ToList();
        var periods = NormPeriods.Find(rho, s.Drop, s.Rise).Select(p =>
        {
            var stable = rows.Skip(p.Peak).Take(p.Trough - p.Peak).Select(r => r.TrainLoss).OrderBy(v => v).ToList();
            double median = stable.Count == 0 ? rows[p.Trough].TrainLoss : stable[stable.Count / 2];
            double spike = rows.Skip(p.Trough).Take(p.Rise - p.Trough + 1).Max(r => r.TrainLoss);
            return new RhoPeriod(p.Peak + 1, p.Trough + 1, p.Rise + 1, p.PeakValue, p.TroughValue, p.Amplitude,
                rows[p.Trough].Extra[ScaleInvariantMetrics.EffectiveLearningRateColumn], spike / median);
        }).ToList();
        var lengths = periods.Zip(periods.Skip(1), (a, b) => b.PeakEpoch - a.PeakEpoch).ToList();
        var final = result.Final;
        string status = result.Status == RunStatus.Diverged ? $"diverged: {result.Detail}" : "completed";
        return new PeriodicRun(lr, seed, status, initial, rho.Count > 0 ? rho[^1] : double.NaN, periods, lengths,
            final?.TrainLoss ?? double.NaN, final?.TestAccuracy ?? double.NaN, path);
    }

    /// <summary>Per learning rate, one effect per seed, signed so that positive means "as claimed".</summary>
    static List<Verdict> Judge(ScaleInvarianceSettings s, List<PeriodicRun> runs)
    {
        var verdicts = new List<Verdict>();
        foreach (var lr in s.LearningRatesOrDefault)
        {
            var atLr = runs.Where(r => r.LearningRate == lr).OrderBy(r => r.Seed).ToList();
            verdicts.Add(Verdict.Of($"lr {lr}: rho is periodic, it falls by {s.Drop:P0} from a peak and rises again at least twice (periods minus one)",
                atLr.Select(r => r.Periods.Count - 1.0).ToArray(), " (periods)"));
            var spikes = atLr.Where(r => r.Periods.Count > 0).Select(r => r.Periods.Average(p => Math.Log10(p.LossSpike))).ToArray();
            if (spikes.Length > 0)
                verdicts.Add(Verdict.Of($"lr {lr}: every rise of rho comes with a spike of the train loss (mean log10 of peak loss over the stable phase's median loss)",
                    spikes, " (log10)"));
        }
        return verdicts;
    }

    static void Plot(ScaleInvarianceSettings s, Dictionary<(double Lr, int Seed), IReadOnlyList<MetricsRow>> curves, RunDirectory output)
    {
        string Name(double lr, int seed) => s.LearningRatesOrDefault.Length > 1 ? $"lr {lr}, seed {seed}" : $"seed {seed}";
        double[] Epochs(IReadOnlyList<MetricsRow> rows) => rows.Select(r => (double)r.Epoch).ToArray();
        double[] Column(IReadOnlyList<MetricsRow> rows, string column) => rows.Select(r => r.Extra.TryGetValue(column, out var v) ? v : double.NaN).ToArray();
        string title = $"{s.ModelOrDefault.Kind}, SGD, weight decay {s.WeightDecay}";
        var norm = new LinePlot($"Periodic behaviour: weight norm ({title})", "epoch", "ρ = ‖w_SI‖") { YScale = AxisScale.Log10 };
        var loss = new LinePlot($"Periodic behaviour: train loss ({title})", "epoch", "train loss") { YScale = AxisScale.Log10 };
        var phase = new LinePlot("Phase plot: effective gradient norm against effective learning rate", "effective learning rate η/ρ²", "effective gradient norm ‖g‖ρ")
            { XScale = AxisScale.Log10, YScale = AxisScale.Log10 };
        foreach (var ((lr, seed), rows) in curves)
        {
            norm.Add(Name(lr, seed), Epochs(rows), Column(rows, ScaleInvariantMetrics.NormColumn));
            loss.Add(Name(lr, seed), Epochs(rows), rows.Select(r => r.TrainLoss).ToArray());
            phase.Add(Name(lr, seed), Column(rows, ScaleInvariantMetrics.EffectiveLearningRateColumn), Column(rows, ScaleInvariantMetrics.EffectiveGradientNormColumn));
        }
        norm.Save(output.File("norm"));
        loss.Save(output.File("train-loss"));
        phase.Save(output.File("phase"));
        if (s.SharpnessEvery <= 0) return;
        var sharp = new LinePlot("Scale-invariant sharpness λmax ρ² (fixed training subset)", "epoch", "λmax ρ²") { YScale = AxisScale.Log10, Markers = true };
        foreach (var ((lr, seed), rows) in curves)
        {
            var measured = rows.Where(r => r.Extra.ContainsKey(ScaleInvariantSharpness.SharpnessColumn)).ToList();
            sharp.Add(Name(lr, seed), Epochs(measured), Column(measured, ScaleInvariantSharpness.SharpnessColumn));
        }
        sharp.Save(output.File("sharpness"));
    }
}
