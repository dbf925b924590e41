using System.Text.Json;
using LossLandscape.Connectivity;
using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments;

public enum PoisonKind
{
    /// <summary>Held-out training images, each with a random label different from its true one, added to the training set.</summary>
    WrongLabels,
    /// <summary>Held-out images whose loss is -log(1 - p_true): pushed away from their true class (Huang et al.'s "dirty" share).</summary>
    DirtyBatch,
}

/// <summary>
/// Minefields (Huang et al. 2019/2020): train a good model, then from every k-th checkpoint of its path keep
/// training on the training set plus a poisoned set (held out from the training split, never the test set) until
/// the clean training accuracy reaches the target. Poor global minima, if they lie next to the path, are found
/// close to their start points.
/// </summary>
/// <param name="PoisonShare">Poisoned samples as a share of the training samples (0.54 makes them 35% of each batch on average).</param>
public sealed record MinefieldSettings(
    ModelSpec? Model = null,
    int TrainSize = 2000,
    double PoisonShare = 0.54,
    int TestSize = 2000,
    int GoodEpochs = 20,
    int Every = 4,
    int MaxPoisonEpochs = 60,
    double TargetTrainAccuracy = 0.99,
    double LearningRate = 0.05,
    double Momentum = 0.9,
    PoisonKind[]? Kinds = null,
    int[]? Seeds = null,
    string? DataDir = null)
{
    public int[] SeedsOrDefault => Seeds ?? new[] { 0, 1, 2 };
    public ModelSpec ModelOrDefault => Model ?? new ModelSpec("mlp", 256, 2);
    public PoisonKind[] KindsOrDefault => Kinds ?? new[] { PoisonKind.WrongLabels, PoisonKind.DirtyBatch };

    public static MinefieldSettings For(Preset preset) => preset switch
    {
        Preset.Smoke => new(new ModelSpec("mlp", 32, 1), TrainSize: 400, TestSize: 300, GoodEpochs: 2, Every: 2, MaxPoisonEpochs: 2, Seeds: new[] { 0 }),
        Preset.Quick => new(),
        Preset.Paper => new(new ModelSpec("resnet18", 16, BatchNorm: true), TrainSize: 25000, TestSize: 10000, GoodEpochs: 60, Every: 10, MaxPoisonEpochs: 100),
        _ => throw new LandscapeException($"unknown preset {preset}"),
    };
}

/// <summary>One poor minimum: where its training started, what it reached, and how far it went.</summary>
public sealed record BadMinimum(PoisonKind Kind, int StartEpoch, int Epochs, bool ReachedTarget, double CleanTrainAccuracy, double TestAccuracy,
    double DistanceFromStart, double DistanceFromGood, double[] PcaCoordinates);

public sealed record MinefieldSeedResult(int Seed, double GoodTrainAccuracy, double GoodTestAccuracy, double PathDisplacement,
    IReadOnlyList<BadMinimum> BadMinima, IReadOnlyList<PathPoint> SegmentToNearest, string Folder);

public sealed record MinefieldReport(MinefieldSettings Settings, IReadOnlyList<MinefieldSeedResult> Seeds, IReadOnlyList<Verdict> Verdicts, double Seconds);

public static class Minefield
{
    public static MinefieldReport Run(MinefieldSettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var results = s.SeedsOrDefault.Select(seed => RunSeed(s, seed, RunDirectory.Create(output.File($"seed-{seed}")), device, log)).ToList();
        // Per seed, averaged over its poor minima that reached the target; positive effects mean "as claimed".
        static double[] Effects(IEnumerable<MinefieldSeedResult> seeds, Func<MinefieldSeedResult, BadMinimum, double> f) =>
            seeds.Select(r => r.BadMinima.Where(b => b.ReachedTarget).Select(b => f(r, b)).DefaultIfEmpty(double.NaN).Average()).Where(double.IsFinite).ToArray();
        var verdicts = new List<Verdict>();
        var reach = results.Select(r => r.BadMinima.Count(b => b.ReachedTarget) / (double)Math.Max(1, r.BadMinima.Count) - 0.5).ToArray();
        verdicts.Add(Verdict.Of($"poisoned training from points of the path reaches {s.TargetTrainAccuracy:P0} clean training accuracy (share of runs minus one half)", reach));
        var drop = Effects(results, (r, b) => r.GoodTestAccuracy - b.TestAccuracy - 0.20);
        if (drop.Length > 0)
            verdicts.Add(Verdict.Of("those poor minima lose at least 20 points of test accuracy (mean drop minus 0.20)", drop, " (accuracy)"));
        var near = Effects(results, (r, b) => (r.PathDisplacement - b.DistanceFromStart) / r.PathDisplacement);
        if (near.Length > 0)
            verdicts.Add(Verdict.Of("they lie closer to their start point than the path's overall displacement (relative margin)", near));
        foreach (var v in verdicts) log?.Invoke(v.Describe());
        var report = new MinefieldReport(s, results, verdicts, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(output.File("minefield.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    static MinefieldSeedResult RunSeed(MinefieldSettings s, int seed, RunDirectory output, Device device, Action<string>? log)
    {
        int poisonCount = (int)Math.Round(s.PoisonShare * s.TrainSize);
        // One nested subset of the training split: its first TrainSize images train, the rest are the held-out poison.
        using var all = new DataSettings(DataDir: s.DataDir, TrainSize: s.TrainSize + poisonCount, TestSize: s.TestSize).Load(seed, device);
        using var train = all.Train.Select(arange(s.TrainSize, device: device));
        using var heldOut = all.Train.Select(arange(s.TrainSize, s.TrainSize + poisonCount, device: device));
        var clean = new DataSplit(train, all.Test);
        var spec = s.ModelOrDefault with { InputChannels = (int)train.SampleShape[0], ImageSize = (int)train.SampleShape[^1], Classes = train.Classes };

        var goodRun = RunDirectory.Create(output.File("good"));
        using var good = ModelRegistry.Create(spec, seed);
        good.to(device);
        var settings = new TrainSettings(s.GoodEpochs, 128, new OptimizerSettings(OptimizerKind.Sgd, s.LearningRate, s.Momentum), Seed: seed, CheckpointEvery: 1);
        using (var trainer = new Trainer(good, clean, settings, goodRun)) trainer.Train();
        var goodEval = (Train: Evaluation.Evaluate(good, train), Test: Evaluation.Evaluate(good, all.Test));
        log?.Invoke($"seed {seed}: good model: train {goodEval.Train.Accuracy:P2}, test {goodEval.Test.Accuracy:P2}");

        var path = goodRun.TrajectoryCheckpoints().Select(f => { using var m = Checkpoint.Load(f, device); return ParameterVector.Get(m); }).ToList();
        using var wGood = ParameterVector.Get(good);
        double displacement = path[^1].sub(path[0]).norm().ToDouble();
        using var pca = TrajectoryPca.Compute(path, wGood);

        var bad = new List<BadMinimum>();
        var badWeights = new List<Tensor>();
        foreach (var kind in s.KindsOrDefault)
        {
            using var poisoned = Poison(heldOut, kind, seed);
            using var combined = Concatenate(train, poisoned);
            for (int start = 0; start < path.Count; start += s.Every)
            {
                using var model = ModelRegistry.Create(spec, seed);
                model.to(device);
                ParameterVector.Set(model, path[start]);
                var target = new TargetAccuracy(train, s.TargetTrainAccuracy);
                // A cosine schedule over the epoch limit lets the poisoned runs settle into a minimum instead of
                // bouncing at a constant step size; the run stops as soon as the clean target is met.
                var poisonSettings = new TrainSettings(s.MaxPoisonEpochs, 128, new OptimizerSettings(OptimizerKind.Sgd, s.LearningRate, s.Momentum),
                    new LrSchedule(ScheduleKind.Cosine), Seed: seed + start + 1, CheckpointEvery: 0);
                using (var trainer = new Trainer(model, new DataSplit(combined, all.Test), poisonSettings, null, new[] { target }, loss: PoisonedLoss))
                    trainer.Train();
                var w = ParameterVector.Get(model);
                double trainAcc = Evaluation.Evaluate(model, train).Accuracy, testAcc = Evaluation.Evaluate(model, all.Test).Accuracy;
                using var offset = w.sub(wGood);
                var minimum = new BadMinimum(kind, start, target.Epochs, trainAcc >= s.TargetTrainAccuracy, trainAcc, testAcc,
                    w.sub(path[start]).norm().ToDouble(), offset.norm().ToDouble(),
                    new[] { offset.dot(pca.First).ToDouble(), offset.dot(pca.Second).ToDouble() });
                bad.Add(minimum);
                badWeights.Add(w);
                log?.Invoke($"seed {seed}: {kind} from epoch {start}: {minimum.Epochs} epochs, clean train {trainAcc:P2}, test {testAcc:P2}, " +
                            $"{minimum.DistanceFromStart:G4} from its start (path displacement {displacement:G4})");
            }
        }

        int nearest = Enumerable.Range(0, bad.Count).Where(i => bad[i].ReachedTarget).DefaultIfEmpty(-1).MinBy(i => i < 0 ? double.MaxValue : bad[i].DistanceFromGood);
        var segment = nearest < 0 ? new List<PathPoint>() : LinearPath.Measure(good, wGood, badWeights[nearest], clean, GridAxis.Parse("0:1:21"), train).ToList();
        Plot(s, pca, bad, segment, output);
        foreach (var t in path.Concat(badWeights)) t.Dispose();
        return new MinefieldSeedResult(seed, goodEval.Train.Accuracy, goodEval.Test.Accuracy, displacement, bad, segment, output.Path);
    }

    /// <summary>Wrong labels: a uniformly drawn different class. Dirty: the true label, encoded as -(y + 1) so the loss knows to push away from it.</summary>
    static Dataset Poison(Dataset heldOut, PoisonKind kind, int seed)
    {
        if (kind == PoisonKind.WrongLabels) return LabelNoise.Apply(heldOut, 1.0, seed).Dataset;
        return new Dataset(heldOut.Name + "-dirty", heldOut.Inputs.clone(), heldOut.Labels.add(1).neg(), heldOut.Classes);
    }

    static Dataset Concatenate(Dataset a, Dataset b) =>
        new(a.Name + "+poison", cat(new[] { a.Inputs, b.Inputs }), cat(new[] { a.Labels, b.Labels }), a.Classes);

    /// <summary>Cross-entropy for ordinary labels; -log(1 - p_true) for dirty samples (labels -(y + 1)).</summary>
    static Tensor PoisonedLoss(Tensor logits, Tensor labels)
    {
        var dirty = labels.lt(0);
        var truth = where(dirty, labels.neg().sub(1), labels);
        var logp = logits.log_softmax(1).gather(1, truth.unsqueeze(1)).squeeze(1);
        // log(1 - p) computed stably as log(-expm1(log p)).
        var away = logp.clamp_max(-1e-6).expm1().neg().log().neg();
        return where(dirty, away, logp.neg()).mean();
    }

    static void Plot(MinefieldSettings s, TrajectoryPcaResult pca, List<BadMinimum> bad, List<PathPoint> segment, RunDirectory output)
    {
        var plot = new ScatterPlot("SGD path and poor minima (PCA plane of the path)", "PC1 (weight-space units)", "PC2 (weight-space units)")
            .Add("SGD path (checkpoints)", pca.Coordinates.Select(c => c[0]).ToArray(), pca.Coordinates.Select(c => c[1]).ToArray(),
                pca.Coordinates.Select((_, i) => i % s.Every == 0 ? $"{i}" : "").ToArray());
        foreach (var kind in bad.Select(b => b.Kind).Distinct())
        {
            var group = bad.Where(b => b.Kind == kind).ToList();
            plot.Add($"{kind}: poor minima (test accuracy)", group.Select(b => b.PcaCoordinates[0]).ToArray(), group.Select(b => b.PcaCoordinates[1]).ToArray(),
                group.Select(b => $"{b.TestAccuracy:P0}").ToArray());
        }
        plot.Save(output.File("minefield"));
        if (segment.Count == 0) return;
        var t = segment.Select(p => p.T).ToArray();
        new LinePlot("From the good minimum (t = 0) to the nearest poor one (t = 1)", "t", "loss / error")
            .Add("train loss", t, segment.Select(p => p.TrainLoss).ToArray())
            .Add("train error", t, segment.Select(p => 1 - p.TrainAccuracy).ToArray())
            .Add("test error", t, segment.Select(p => 1 - p.TestAccuracy).ToArray())
            .Save(output.File("segment-to-poor-minimum"));
    }

    /// <summary>Stops training once the clean training accuracy reaches the target.</summary>
    sealed class TargetAccuracy : ITrainingCallback
    {
        readonly Dataset clean;
        readonly double target;
        public TargetAccuracy(Dataset clean, double target) => (this.clean, this.target) = (clean, target);
        public int Epochs { get; private set; }

        public void OnEpoch(Trainer trainer, EpochEnd epoch)
        {
            Epochs = epoch.Epoch;
            double accuracy = Evaluation.Evaluate(trainer.Model, clean).Accuracy;
            epoch.Extra["clean_train_acc"] = accuracy;
            if (accuracy >= target) epoch.Stop($"clean training accuracy {accuracy:P2} reached the target");
        }
    }
}
