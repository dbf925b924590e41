using System.Text.Json;
using LossLandscape.Curvature;
using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Sharpness;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments;

public enum LrRegime { SmallLr, LargeLr, LargeLrAnnealed, SmallLrNoise }

/// <summary>
/// Learning-rate regimes (Li, Wei &amp; Ma 2019): small LR, large LR, large LR annealed at <see cref="AnnealEpoch"/>
/// by <see cref="AnnealFactor"/> (so it ends at 0.1 x 0.04 = 0.004, the small LR), and small LR with activation noise
/// (decayed by the same factor at the anneal epoch). SGD with Nesterov momentum 0.9 and weight decay 5e-4 as in their
/// code. With <see cref="Patched"/> the training set is the patch-augmented one (the talk's toy experiment) and a
/// patch-only test set is measured every epoch.
/// </summary>
public sealed record LrRegimesSettings(
    bool Patched = false,
    LrRegime[]? Regimes = null,
    ModelSpec? Model = null,
    int TrainSize = 10000,
    int TestSize = 2000,
    int Epochs = 30,
    int AnnealEpoch = 15,
    double SmallLr = 0.004,
    double LargeLr = 0.1,
    double AnnealFactor = 0.04,
    double Momentum = 0.9,
    double WeightDecay = 5e-4,
    double Noise = 0.4,
    int BatchSize = 128,
    int[]? Seeds = null,
    PatchConstruction Construction = PatchConstruction.Stochastic,
    int PatchOnlyTestCount = 1000,
    int ProbeSamples = 2000,
    int CurvatureProducts = 30,
    int WidthDirections = 5,
    string Dataset = "fashion-mnist",
    string? DataDir = null)
{
    public LrRegime[] RegimesOrDefault => Regimes ?? (Patched
        ? new[] { LrRegime.SmallLr, LrRegime.LargeLrAnnealed, LrRegime.SmallLrNoise }
        : new[] { LrRegime.SmallLr, LrRegime.LargeLr, LrRegime.LargeLrAnnealed });
    public int[] SeedsOrDefault => Seeds ?? new[] { 0, 1, 2 };
    public ModelSpec ModelOrDefault => Model ?? new ModelSpec("mlp", 256, 2);

    public static LrRegimesSettings For(Preset preset, bool patched) => preset switch
    {
        Preset.Smoke => new(patched, TrainSize: 600, TestSize: 300, Epochs: 3, AnnealEpoch: 2, Seeds: new[] { 0 }, PatchOnlyTestCount: 200,
            ProbeSamples: 200, CurvatureProducts: 5, WidthDirections: 1, Model: new ModelSpec("mlp", 32, 1)),
        Preset.Quick => new(patched),
        Preset.Paper => new(patched, Model: new ModelSpec("resnet18", 16, BatchNorm: true), TrainSize: 50000, TestSize: 10000, Epochs: 60, Dataset: "cifar-10",
            AnnealEpoch: 30, ProbeSamples: 4096, CurvatureProducts: 100),
        _ => throw new LandscapeException($"unknown preset {preset}"),
    };
}

/// <summary>
/// The final point of one regime's run: accuracies and flatness. For BatchNorm models, whose loss is invariant to the
/// scale of the weights, <see cref="ScaleInvariantTopEigenvalue"/> (top eigenvalue x |w|^2) is the comparable one.
/// </summary>
public sealed record RegimeOutcome(LrRegime Regime, int Seed, double TrainAccuracy, double CleanTestAccuracy, double? PatchOnlyAccuracy,
    double EarlyPatchOnlyAccuracy, double TopEigenvalue, double Trace, double EpsilonSharpness, double Width, double WeightNorm,
    double? ScaleInvariantTopEigenvalue, double[] SliceLoss, string RunPath);

public sealed record LrRegimesReport(LrRegimesSettings Settings, IReadOnlyList<RegimeOutcome> Outcomes, IReadOnlyList<Verdict> Verdicts, double Seconds);

public static class LearningRateRegimes
{
    public static LrRegimesReport Run(LrRegimesSettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcomes = new List<RegimeOutcome>();
        var curves = new Dictionary<(LrRegime, int), IReadOnlyList<MetricsRow>>();
        foreach (var seed in s.SeedsOrDefault)
        {
            using var data = new DataSettings(s.Dataset, s.DataDir, s.TrainSize, s.TestSize).Load(seed, device);
            using var patched = s.Patched ? new PatchedTrainingSet(data.Train, new PatchSettings(s.Construction, Seed: seed)) : null;
            using var patchOnly = patched?.PatchOnlyTestSet(s.PatchOnlyTestCount, seed);
            foreach (var regime in s.RegimesOrDefault)
            {
                var (outcome, rows) = RunRegime(s, regime, seed, data, patched, patchOnly, output, device);
                outcomes.Add(outcome);
                curves[(regime, seed)] = rows;
                log?.Invoke($"{regime} seed {seed}: clean test {outcome.CleanTestAccuracy:P2}" +
                            (outcome.PatchOnlyAccuracy is { } p ? $", patch-only {p:P2} (early {outcome.EarlyPatchOnlyAccuracy:P2})" : "") +
                            $", top eigenvalue {outcome.TopEigenvalue:G4}, trace {outcome.Trace:G4}, eps-sharpness {outcome.EpsilonSharpness:G3}, width {outcome.Width:G3}");
            }
        }
        var verdicts = Judge(s, outcomes);
        foreach (var v in verdicts) log?.Invoke(v.Describe());
        PlotCurves(s, curves, output);
        var slices = new LinePlot("Filter-normalised 1-D slices through the final minima (first seed)", "α (filter-normalised direction)", "training loss");
        foreach (var o in outcomes.Where(o => o.Seed == s.SeedsOrDefault[0])) slices.Add(Name(o.Regime), SliceAxis.Values.ToArray(), o.SliceLoss);
        slices.Save(output.File("slices"));
        var report = new LrRegimesReport(s, outcomes, verdicts, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(output.File("lr-regimes.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    static (RegimeOutcome, IReadOnlyList<MetricsRow>) RunRegime(LrRegimesSettings s, LrRegime regime, int seed, DataSplit data,
        PatchedTrainingSet? patched, Dataset? patchOnly, RunDirectory output, Device device)
    {
        bool annealed = regime == LrRegime.LargeLrAnnealed;
        double lr = regime is LrRegime.LargeLr or LrRegime.LargeLrAnnealed ? s.LargeLr : s.SmallLr;
        if (regime == LrRegime.SmallLrNoise && s.ModelOrDefault.Kind is not ("mlp" or "cnn"))
            throw new LandscapeException($"activation noise is implemented for mlp and cnn, not {s.ModelOrDefault.Kind}");
        var spec = s.ModelOrDefault with
        {
            InputChannels = (int)data.Train.SampleShape[0], ImageSize = (int)data.Train.SampleShape[^1], Classes = data.Train.Classes,
            ActivationNoise = regime == LrRegime.SmallLrNoise ? s.Noise : 0,
        };
        using var model = ModelRegistry.Create(spec, seed);
        model.to(device);
        var training = new TrainSettings(s.Epochs, s.BatchSize,
            new OptimizerSettings(OptimizerKind.Sgd, lr, s.Momentum, Nesterov: s.Momentum > 0, WeightDecay: s.WeightDecay),
            annealed ? new LrSchedule(ScheduleKind.Step, new[] { s.AnnealEpoch }, s.AnnealFactor) : new LrSchedule(),
            seed, CheckpointEvery: 0);
        var run = RunDirectory.Create(output.File($"{Name(regime)}-s{seed}"));
        run.WriteManifest(new RunManifest
        {
            Command = "train",
            Settings = RunManifest.ToSettings(new TrainRunSettings(spec, new DataSettings(s.Dataset, s.DataDir, s.TrainSize, s.TestSize), training)),
            Seed = seed, Device = device.ToString(), Threads = TorchRuntime.Threads,
        });
        var probe = new EpochProbe(patchOnly, regime == LrRegime.SmallLrNoise ? s.Noise : 0, s.AnnealEpoch, s.AnnealFactor);
        using var trainer = new Trainer(model, data, training, run, new[] { probe },
            patched is null ? null : epoch => patched.Sample(seed * 100_003 + epoch));
        var result = trainer.Train();
        run.WriteManifest(run.ReadManifest() with { Status = result.Status, StatusDetail = result.Detail, Ended = DateTimeOffset.UtcNow });

        // Flatness of the final point on clean training samples (the minima are compared, not the step sizes).
        using var probeData = Sampling.Subset(data.Train, Math.Min(s.ProbeSamples, data.Train.Count), seed);
        var op = new HessianOperator(model, probeData, 1024);
        double top = Lanczos.TopEigenvalues(op, new LanczosSettings(1, s.CurvatureProducts, 1e-3, seed)).Eigenvalues[0];
        double trace = Hutchinson.Trace(op, new HutchinsonSettings(s.CurvatureProducts, 1e-3, seed)).Trace;
        using var loss = new WeightSpaceLoss(model, probeData);
        using var w = ParameterVector.Get(model);
        double eps = EpsilonSharpness.Measure(loss, w, new EpsilonSharpnessSettings(1e-3, 10, seed)).Value;
        double width = DirectionalWidth.Measure(loss, w, ParameterLayout.Of(model), new DirectionalWidthSettings(Directions: s.WidthDirections, Seed: seed)).Value;
        double norm = w.norm().ToDouble();
        // A 1-D filter-normalised slice through the final point, the same random direction (by seed) for every regime.
        var direction = Directions.RandomNormalized(w, ParameterLayout.Of(model), new DirectionSettings(), seed, 1)[0];
        var frame = new SurfaceFrame(w, direction, null, probeData);
        using ISurfaceEvaluator evaluator = MlpSurfaceEvaluator.Supports(model)
            ? new MlpSurfaceEvaluator(model, frame)
            : new PointwiseEvaluator(model, frame, BatchNormMode.Recompute, probeData);
        var slice = LossSurface.Compute(evaluator, SliceAxis, null).Select(p => p.Loss).ToArray();
        direction.Dispose();
        var rows = result.Rows;
        int early = Math.Max(1, s.AnnealEpoch / 3);
        double earlyPatch = patchOnly is null ? double.NaN : rows.Take(early).Average(r => r.Extra["patch_only_acc"]);
        var final = rows[^1];
        return (new RegimeOutcome(regime, seed, final.TrainAccuracy, final.TestAccuracy, patchOnly is null ? null : final.Extra["patch_only_acc"],
            earlyPatch, top, trace, eps, width, norm, model.HasBatchNorm ? top * norm * norm : null, slice, run.Path), rows);
    }

    static readonly GridAxis SliceAxis = new(-1, 1, 21);

    static string Name(LrRegime regime) => regime switch
    {
        LrRegime.SmallLr => "small-lr",
        LrRegime.LargeLr => "large-lr",
        LrRegime.LargeLrAnnealed => "large-lr-annealed",
        _ => "small-lr-noise",
    };

    /// <summary>Per-seed effects of the talk's claims, each signed so that positive means "as claimed".</summary>
    static List<Verdict> Judge(LrRegimesSettings s, List<RegimeOutcome> outcomes)
    {
        var verdicts = new List<Verdict>();
        var small = outcomes.Where(o => o.Regime == LrRegime.SmallLr).OrderBy(o => o.Seed).ToList();
        var annealed = outcomes.Where(o => o.Regime == LrRegime.LargeLrAnnealed).OrderBy(o => o.Seed).ToList();
        if (small.Count == 0 || annealed.Count != small.Count) return verdicts;
        double[] Effect(Func<RegimeOutcome, double> f, bool largerIsClaimed) =>
            small.Zip(annealed, (a, b) => largerIsClaimed ? f(b) - f(a) : f(a) - f(b)).ToArray();
        if (s.Patched)
            verdicts.Add(Verdict.Of($"early in training (epochs 1-{Math.Max(1, s.AnnealEpoch / 3)}) the small-LR model's patch-only accuracy exceeds the large-LR model's",
                small.Zip(annealed, (a, b) => a.EarlyPatchOnlyAccuracy - b.EarlyPatchOnlyAccuracy).ToArray(), " (accuracy)"));
        verdicts.Add(Verdict.Of("after annealing, the large-LR model's clean test accuracy is higher than the small-LR model's",
            Effect(o => o.CleanTestAccuracy, largerIsClaimed: true), " (accuracy)"));
        verdicts.Add(small[0].ScaleInvariantTopEigenvalue is null
            ? Verdict.Of("the annealed large-LR minimum is flatter: lower top Hessian eigenvalue", Effect(o => o.TopEigenvalue, false))
            : Verdict.Of("the annealed large-LR minimum is flatter: lower scale-invariant top eigenvalue (lambda |w|^2)", Effect(o => o.ScaleInvariantTopEigenvalue!.Value, false)));
        verdicts.Add(Verdict.Of("the annealed large-LR minimum is flatter: lower Hessian trace", Effect(o => o.Trace, false)));
        verdicts.Add(Verdict.Of("the annealed large-LR minimum is flatter: lower epsilon-sharpness", Effect(o => o.EpsilonSharpness, false)));
        verdicts.Add(Verdict.Of("the annealed large-LR minimum is flatter: wider along random filter-normalised directions", Effect(o => o.Width, true)));
        return verdicts;
    }

    static void PlotCurves(LrRegimesSettings s, Dictionary<(LrRegime, int), IReadOnlyList<MetricsRow>> curves, RunDirectory output)
    {
        var epochs = Enumerable.Range(1, s.Epochs).Select(e => (double)e).ToArray();
        double[] Mean(LrRegime regime, Func<MetricsRow, double> f) =>
            Enumerable.Range(0, s.Epochs).Select(e => curves.Where(kv => kv.Key.Item1 == regime).Average(kv => f(kv.Value[e]))).ToArray();
        var accuracy = new LinePlot(s.Patched ? "Patch toy: clean test accuracy" : "Learning-rate regimes: accuracy", "epoch", "accuracy (mean over seeds)");
        foreach (var regime in s.RegimesOrDefault)
        {
            accuracy.Add($"{Name(regime)}: train", epochs, Mean(regime, r => r.TrainAccuracy));
            accuracy.Add($"{Name(regime)}: clean test", epochs, Mean(regime, r => r.TestAccuracy));
        }
        accuracy.AddVerticalLine(s.AnnealEpoch + 0.5, "anneal").Save(output.File("accuracy"));
        if (!s.Patched) return;
        var patch = new LinePlot("Patch toy: accuracy on images carrying only the patch", "epoch", "patch-only accuracy (mean over seeds)");
        foreach (var regime in s.RegimesOrDefault) patch.Add(Name(regime), epochs, Mean(regime, r => r.Extra["patch_only_acc"]));
        patch.AddVerticalLine(s.AnnealEpoch + 0.5, "anneal").Save(output.File("patch-only"));
    }

    /// <summary>Measures patch-only accuracy after every epoch and anneals the activation noise with the learning rate.</summary>
    sealed class EpochProbe : ITrainingCallback
    {
        readonly Dataset? patchOnly;
        readonly double noise, factor;
        readonly int annealEpoch;

        public EpochProbe(Dataset? patchOnly, double noise, int annealEpoch, double factor) =>
            (this.patchOnly, this.noise, this.annealEpoch, this.factor) = (patchOnly, noise, annealEpoch, factor);

        public void OnEpoch(Trainer trainer, EpochEnd epoch)
        {
            if (patchOnly is not null) epoch.Extra["patch_only_acc"] = Evaluation.Evaluate(trainer.Model, patchOnly).Accuracy;
            // The next epoch (0-based index = epoch.Epoch) runs with the noise of its own learning-rate phase.
            if (noise > 0) trainer.Model.SetActivationNoise(epoch.Epoch >= annealEpoch ? noise * factor : noise);
        }
    }
}
