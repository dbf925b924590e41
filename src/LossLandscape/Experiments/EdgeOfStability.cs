using System.Text.Json;
using LossLandscape.Curvature;
using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments;

/// <summary>
/// Settings of the edge-of-stability check (Cohen et al. 2021): full-batch gradient descent with step eta (and
/// heavy-ball momentum beta) on a fixed training subset; the top Hessian eigenvalue of the training loss is
/// measured every few steps by Lanczos.
/// </summary>
public sealed record EdgeOfStabilitySettings(
    int TrainSize = 1000,
    int Width = 64,
    int Depth = 2,
    double LearningRate = 0.05,
    double Momentum = 0,
    int Steps = 1500,
    int EigenEvery = 25,
    int Seed = 0,
    string? DataDir = null)
{
    /// <summary>Where sharpness should settle: 2/eta, or (2 + 2 beta)/eta with momentum.</summary>
    public double Threshold => (2 + 2 * Momentum) / LearningRate;

    public static EdgeOfStabilitySettings For(Preset preset) => preset switch
    {
        Preset.Smoke => new(TrainSize: 200, Width: 16, Steps: 60, EigenEvery: 20, LearningRate: 0.1),
        Preset.Quick => new(),
        Preset.Paper => new(TrainSize: 5000, Width: 200, Depth: 3, Steps: 5000, EigenEvery: 50, LearningRate: 2.0 / 30),
        _ => throw new LandscapeException($"unknown preset {preset}"),
    };
}

public sealed record EigenSample(long Step, double TrainLoss, double TopEigenvalue);

/// <param name="FirstReach">First step whose top eigenvalue reaches 90% of the threshold (null: never).</param>
/// <param name="LastReach">Last such step: the edge-of-stability phase runs from the first to the last reach (with cross-entropy,
/// sharpness falls again once the loss is small).</param>
/// <param name="HoverMedian">Median top eigenvalue in that phase, relative to the threshold.</param>
/// <param name="HoverShareWithin10">Share of the phase's samples within 10% of the threshold.</param>
public sealed record EdgeOfStabilityReport(EdgeOfStabilitySettings Settings, double Threshold, IReadOnlyList<EigenSample> Samples,
    long? FirstReach, long? LastReach, double? HoverMedian, double? HoverShareWithin10, double MaxRelative, string Status, double Seconds);

public static class EdgeOfStability
{
    public static EdgeOfStabilityReport Run(EdgeOfStabilitySettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var dataSettings = new DataSettings(DataDir: s.DataDir, TrainSize: s.TrainSize, TestSize: 1000, AllowDownload: true);
        using var data = dataSettings.Load(s.Seed, device);
        var spec = new ModelSpec("mlp", s.Width, s.Depth, InputChannels: 1, ImageSize: 28, Classes: 10);
        using var model = ModelRegistry.Create(spec, s.Seed);
        model.to(device);
        var probe = new SharpnessCallback(data.Train, s.EigenEvery, s.Seed, log);
        var training = new TrainSettings(Epochs: s.Steps, BatchSize: s.TrainSize,
            Optimizer: new OptimizerSettings(OptimizerKind.Sgd, s.LearningRate, s.Momentum), Seed: s.Seed,
            CheckpointEvery: 0, EvalBatchSize: 1000);
        using var trainer = new Trainer(model, data, training, null, new[] { probe });
        var result = trainer.Train();

        var samples = probe.Samples;
        double threshold = s.Threshold;
        long? reach = samples.FirstOrDefault(x => x.TopEigenvalue >= 0.9 * threshold)?.Step;
        long? lastReach = samples.LastOrDefault(x => x.TopEigenvalue >= 0.9 * threshold)?.Step;
        double? median = null, share = null;
        if (reach is { } first && lastReach is { } last)
        {
            var phase = samples.Where(x => x.Step >= first && x.Step <= last).Select(x => x.TopEigenvalue / threshold).OrderBy(v => v).ToList();
            median = phase[phase.Count / 2];
            share = phase.Count(v => Math.Abs(v - 1) <= 0.1) / (double)phase.Count;
        }
        var report = new EdgeOfStabilityReport(s, threshold, samples, reach, lastReach, median, share,
            samples.Count == 0 ? 0 : samples.Max(x => x.TopEigenvalue) / threshold,
            result.Status == RunStatus.Diverged ? $"diverged: {result.Detail}" : "completed", clock.Elapsed.TotalSeconds);

        MetricsFile.Write(output.MetricsPath, result.Rows);
        GridFile.WriteCurve(output.File("sharpness.csv"), new Curve(new GridColumn("step", samples.Select(x => (double)x.Step).ToArray()), new[]
        {
            new GridColumn("train_loss", samples.Select(x => x.TrainLoss).ToArray()),
            new GridColumn("top_eigenvalue", samples.Select(x => x.TopEigenvalue).ToArray()),
        }));
        string momentum = s.Momentum > 0 ? $", momentum {s.Momentum}" : "";
        new LinePlot($"Edge of stability: full-batch GD, lr {s.LearningRate}{momentum}", "step", "top Hessian eigenvalue") { Markers = true }
            .Add("top eigenvalue (Lanczos)", samples.Select(x => (double)x.Step).ToArray(), samples.Select(x => x.TopEigenvalue).ToArray())
            .AddHorizontalLine(threshold, s.Momentum > 0 ? "(2 + 2β)/η" : "2/η")
            .Save(output.File("sharpness"));
        AtomicFile.WriteAllText(output.File("edge-of-stability.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    /// <summary>Measures the top Hessian eigenvalue of the training loss every few steps (one step per epoch under full-batch GD).</summary>
    sealed class SharpnessCallback : ITrainingCallback
    {
        readonly Dataset train;
        readonly int every, seed;
        readonly Action<string>? log;
        public readonly List<EigenSample> Samples = new();

        public SharpnessCallback(Dataset train, int every, int seed, Action<string>? log) => (this.train, this.every, this.seed, this.log) = (train, every, seed, log);

        public void OnStart(Trainer trainer) => Measure(trainer, 0, double.NaN);

        public void OnEpoch(Trainer trainer, EpochEnd epoch)
        {
            if (epoch.Row.Step % every != 0 && epoch.Epoch != trainer.Settings.Epochs) return;
            double lambda = Measure(trainer, epoch.Row.Step, epoch.Row.TrainLoss);
            epoch.Extra["top_eigenvalue"] = lambda;
        }

        double Measure(Trainer trainer, long step, double loss)
        {
            var op = new HessianOperator(trainer.Model, train, (int)train.Count);
            var r = Lanczos.TopEigenvalues(op, new LanczosSettings(1, 40, 1e-3, seed));
            if (double.IsNaN(loss)) loss = op.Loss();
            Samples.Add(new EigenSample(step, loss, r.Eigenvalues[0]));
            if (Samples.Count % 10 == 1) log?.Invoke($"step {step}: train loss {loss:G4}, top eigenvalue {r.Eigenvalues[0]:G4}");
            return r.Eigenvalues[0];
        }
    }
}
