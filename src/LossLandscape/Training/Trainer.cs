using System.Diagnostics;
using System.Globalization;
using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Training;

/// <summary>How a training ended.</summary>
public sealed record TrainingResult(RunStatus Status, string? Detail, IReadOnlyList<MetricsRow> Rows, long Steps)
{
    public MetricsRow? Final => Rows.Count > 0 ? Rows[^1] : null;
}

/// <summary>
/// Mini-batch training with cross-entropy. Shuffles the whole training set once per epoch (a seeded permutation,
/// then contiguous slices), evaluates on the test set after every epoch, and, given a run folder, keeps
/// metrics.csv, trajectory checkpoints and a resume state that make a killed run continue bit for bit.
/// A non-finite loss stops the run with status Diverged; the last good checkpoint is kept.
/// With <see cref="TrainSettings.Sphere"/> the scale-invariant weights are put back on the sphere right after every
/// optimiser step, so callbacks only ever see weights on it.
/// </summary>
public sealed class Trainer : IDisposable
{
    const int DivergenceCheckInterval = 50;
    readonly List<ITrainingCallback> callbacks;
    readonly List<MetricsRow> rows = new();
    readonly Generator shuffle;
    readonly Optimizer optimizer;
    readonly Func<int, Dataset>? epochTrainingSet;
    readonly Func<Tensor, Tensor, Tensor> loss;
    readonly ScaleInvariantGroup? sphere;
    string? stopReason;

    /// <param name="epochTrainingSet">
    /// When given, the training set of each epoch (0-based) is drawn from it instead of <see cref="DataSplit.Train"/>,
    /// e.g. augmentations re-sampled at every access; it must be a function of the epoch so a resumed run sees the
    /// same data. The trainer disposes each epoch's set.
    /// </param>
    /// <param name="loss">Mean loss of a batch from (logits, labels); cross-entropy by default.</param>
    public Trainer(LandscapeModel model, DataSplit data, TrainSettings settings, RunDirectory? run = null,
        IEnumerable<ITrainingCallback>? callbacks = null, Func<int, Dataset>? epochTrainingSet = null,
        Func<Tensor, Tensor, Tensor>? loss = null)
    {
        this.loss = loss ?? ((logits, labels) => nn.functional.cross_entropy(logits, labels));
        this.epochTrainingSet = epochTrainingSet;
        settings.Validate();
        if (data.Train.Count == 0) throw new LandscapeException("the training set is empty");
        Model = model;
        Data = data;
        Settings = settings;
        Run = run;
        this.callbacks = callbacks?.ToList() ?? new List<ITrainingCallback>();
        shuffle = new Generator((ulong)settings.Seed ^ 0x5eed5eedUL);
        sphere = settings.Sphere is null ? null : ScaleInvariantGroup.Of(model);
        optimizer = Optimizer.Create(settings.OptimizerOrDefault, model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList());
    }

    public LandscapeModel Model { get; }
    public DataSplit Data { get; }
    public TrainSettings Settings { get; }
    public RunDirectory? Run { get; }
    public Optimizer Optimizer => optimizer;
    /// <summary>Epochs completed.</summary>
    public int Epoch { get; private set; }
    public long GlobalStep { get; private set; }
    public IReadOnlyList<MetricsRow> Rows => rows;
    public int StepsPerEpoch => (int)((Data.Train.Count + Settings.BatchSize - 1) / Settings.BatchSize);

    /// <summary>Restores the last committed state of the run folder, if there is one. Returns whether it did.</summary>
    public bool TryResume()
    {
        if (Run is null || !File.Exists(Run.ResumePath)) return false;
        var (tensors, metadata) = Safetensors.Load(Run.ResumePath);
        try
        {
            Checkpoint.LoadWeights(Model, Strip(tensors, "model."), Run.ResumePath);
            optimizer.LoadState(Strip(tensors, "optim."));
            shuffle.set_state(tensors["rng.shuffle"]);
            Epoch = int.Parse(metadata["epoch"], CultureInfo.InvariantCulture);
            GlobalStep = long.Parse(metadata["global_step"], CultureInfo.InvariantCulture);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        rows.Clear();
        rows.AddRange(MetricsFile.Read(Run.MetricsPath).Where(r => r.Epoch <= Epoch));
        if (rows.Count != Epoch)
            throw new DataFormatException(Run.MetricsPath, $"has {rows.Count} rows up to epoch {Epoch}, the resume state expects {Epoch}");
        return true;
    }

    public TrainingResult Train()
    {
        var device = Model.parameters().First().device;
        if (sphere is not null && GlobalStep == 0) sphere.ProjectTo(Settings.Sphere!.Radius);
        foreach (var c in callbacks) c.OnStart(this);
        if (Run is not null && Epoch == 0 && GlobalStep == 0) SaveTrajectoryCheckpoint();
        TrainingResult result = new(RunStatus.Completed, null, rows, GlobalStep);
        while (Epoch < Settings.Epochs && stopReason is null)
        {
            var divergence = RunEpoch(device);
            if (divergence is not null)
            {
                result = new TrainingResult(RunStatus.Diverged, divergence, rows, GlobalStep);
                break;
            }
        }
        if (result.Status == RunStatus.Completed) result = result with { Steps = GlobalStep, Detail = stopReason };
        if (Run is not null && result.Status == RunStatus.Completed && rows.Count > 0)
        {
            if (!File.Exists(TrajectoryCheckpointPath(GlobalStep))) SaveTrajectoryCheckpoint(); // stopped early between checkpoints
            File.Copy(TrajectoryCheckpointPath(GlobalStep), Run.Checkpoint("final"), overwrite: true);
        }
        foreach (var c in callbacks) c.OnEnd(this, result);
        return result;
    }

    /// <summary>One epoch; returns a description of the divergence, or null.</summary>
    string? RunEpoch(Device device)
    {
        var clock = Stopwatch.StartNew();
        int steps = StepsPerEpoch, batch = Settings.BatchSize, epoch = Epoch;
        long n = Data.Train.Count;
        var opt = Settings.OptimizerOrDefault;
        var schedule = Settings.ScheduleOrDefault;
        double lr = opt.LearningRate;
        Model.train();
        using var epochScope = NewDisposeScope();
        using var drawn = epochTrainingSet?.Invoke(epoch);
        var train = drawn ?? Data.Train;
        if (train.Count != n) throw new InvalidOperationException($"epoch {epoch} drew {train.Count} training samples, expected {n}");
        var order = randperm(n, generator: shuffle).to(device);
        var inputs = train.Inputs.index_select(0, order);
        var labels = train.Labels.index_select(0, order);
        var lossSums = zeros(steps, dtype: ScalarType.Float64, device: device);
        var correct = zeros(1, dtype: ScalarType.Int64, device: device);
        var gradNormSum = zeros(1, dtype: ScalarType.Float64, device: device);
        int checkedUpTo = 0;
        for (int i = 0; i < steps; i++)
        {
            using var stepScope = NewDisposeScope();
            lr = opt.LearningRate * schedule.Multiplier(epoch, i, steps, Settings.Epochs);
            long start = (long)i * batch, length = Math.Min(batch, n - start);
            var x = inputs.narrow(0, start, length);
            var y = labels.narrow(0, start, length);
            optimizer.ZeroGrad();
            var logits = Model.call(x);
            var loss = this.loss(logits, y);
            loss.backward();
            using (no_grad())
            {
                gradNormSum.add_(GradientNorm().to(ScalarType.Float64));
                optimizer.Step(lr);
                sphere?.ProjectTo(Settings.Sphere!.Radius);
                lossSums[i] = loss.detach().to(ScalarType.Float64) * length;
                correct.add_(logits.argmax(1).eq(y).sum());
            }
            GlobalStep++;
            var info = new StepInfo(epoch, i, steps, GlobalStep, lr, loss);
            foreach (var c in callbacks) c.OnStep(this, info);
            if ((i + 1) % DivergenceCheckInterval == 0 || i == steps - 1)
            {
                var bad = FirstNonFinite(lossSums, checkedUpTo, i + 1);
                if (bad is { } b)
                    return $"loss became {lossSums[b].item<double>()} at step {GlobalStep - (i - b)} (epoch {epoch + 1}); " +
                           $"the last good state is that of epoch {epoch}";
                checkedUpTo = i + 1;
            }
            if (Run is not null && Settings.CheckpointEverySteps > 0 && GlobalStep % Settings.CheckpointEverySteps == 0)
                SaveTrajectoryCheckpoint();
        }
        var test = Evaluation.Evaluate(Model, Data.Test, Settings.EvalBatchSize);
        var row = new MetricsRow
        {
            Epoch = epoch + 1,
            Step = GlobalStep,
            LearningRate = lr,
            TrainLoss = lossSums.sum().item<double>() / n,
            TrainAccuracy = (double)correct.item<long>() / n,
            TestLoss = test.Loss,
            TestAccuracy = test.Accuracy,
            WeightNorm = WeightNorm(),
            GradNorm = gradNormSum.item<double>() / steps,
        };
        Epoch = epoch + 1;
        row.EpochSeconds = clock.Elapsed.TotalSeconds; // training and test evaluation; probes below are not counted
        row.SamplesPerSecond = n / row.EpochSeconds;
        var end = new EpochEnd(row);
        foreach (var c in callbacks) c.OnEpoch(this, end);
        stopReason ??= end.StopReason;
        rows.Add(row);
        Persist();
        return null;
    }

    static int? FirstNonFinite(Tensor values, int from, int to)
    {
        using var scope = NewDisposeScope();
        var bad = values.narrow(0, from, to - from).isfinite().logical_not();
        if (!bad.any().item<bool>()) return null;
        return from + (int)bad.to(ScalarType.Int64).argmax().item<long>();
    }

    Tensor GradientNorm()
    {
        var squares = Model.parameters().Where(p => p.grad is not null).Select(p => p.grad!.pow(2).sum()).ToList();
        return squares.Count == 0 ? zeros(1, device: Model.parameters().First().device) : stack(squares).sum().sqrt();
    }

    /// <summary>L2 norm of all trainable parameters.</summary>
    public double WeightNorm()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return stack(Model.parameters().Select(p => p.to(ScalarType.Float64).pow(2).sum()).ToList()).sum().sqrt().item<double>();
    }

    /// <summary>Writes metrics, the trajectory checkpoint when due, and last the resume state (the commit point).</summary>
    void Persist()
    {
        if (Run is null) return;
        MetricsFile.Write(Run.MetricsPath, rows);
        bool last = Epoch == Settings.Epochs;
        if (last || (Settings.CheckpointEvery > 0 && Epoch % Settings.CheckpointEvery == 0))
            SaveTrajectoryCheckpoint();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        tensors.AddRange(Model.state_dict().Select(kv => KeyValuePair.Create("model." + kv.Key, kv.Value)));
        tensors.AddRange(optimizer.State().Select(kv => KeyValuePair.Create("optim." + kv.Key, kv.Value)));
        using var rng = shuffle.get_state();
        tensors.Add(KeyValuePair.Create("rng.shuffle", rng));
        Safetensors.Save(Run.ResumePath, tensors, new Dictionary<string, string>
        {
            ["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["global_step"] = GlobalStep.ToString(CultureInfo.InvariantCulture),
            [Checkpoint.ArchitectureKey] = Model.Spec.ToJson(),
        });
    }

    string TrajectoryCheckpointPath(long step) => Run!.Checkpoint($"step-{step:D8}");

    void SaveTrajectoryCheckpoint() =>
        Checkpoint.Save(TrajectoryCheckpointPath(GlobalStep), Model, new Dictionary<string, string>
        {
            ["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["step"] = GlobalStep.ToString(CultureInfo.InvariantCulture),
        });

    static Dictionary<string, Tensor> Strip(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    public void Dispose()
    {
        optimizer.Dispose();
        shuffle.Dispose();
    }
}
