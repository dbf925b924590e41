using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Runs;
using LossLandscape.Training;
using TorchSharp;

namespace LossLandscape.Experiments.Reproduction;

/// <summary>
/// The trained networks that several sections probe (slices, Hessians, connecting curves, matching): trained once per
/// seed into the shared folder as ordinary `train` runs, resumed when a run was killed, reused when finished.
/// </summary>
public static class ReferenceModels
{
    /// <summary>
    /// Smoke: MLP 784-32-10 on 600 images, 2 epochs. Quick: the reference MLP 784-256-256-10 on all 60k Fashion-MNIST
    /// images, 10 epochs, SGD 0.01 momentum 0.9, batch 128. Paper: PreAct ResNet-18 (k = 16, BatchNorm) on CIFAR-10, 60 epochs,
    /// SGD 0.05 momentum 0.9 weight decay 5e-4, cosine schedule.
    /// </summary>
    public static TrainRunSettings For(Preset preset, int seed, string? dataDir) => preset switch
    {
        Preset.Smoke => new(new ModelSpec("mlp", 32, 1), new DataSettings(DataDir: dataDir, TrainSize: 600, TestSize: 500), new TrainSettings(Epochs: 2, Seed: seed)),
        Preset.Quick => new(ModelSpec.ReferenceMlp, new DataSettings(DataDir: dataDir), new TrainSettings(Epochs: 10, Seed: seed)),
        Preset.Paper => new(new ModelSpec("resnet18", 16, BatchNorm: true), new DataSettings("cifar-10", dataDir),
            new TrainSettings(Epochs: 60, Seed: seed, Optimizer: new OptimizerSettings(LearningRate: 0.05, WeightDecay: 5e-4), Schedule: new LrSchedule(ScheduleKind.Cosine))),
        _ => throw new LandscapeException($"unknown preset {preset}"),
    };

    /// <summary>Where a section's reader finds the shared model of a seed (sections live in ROOT/sections/ID, models in ROOT/shared).</summary>
    public static string FolderFor(string sectionFolder, int seed) =>
        Path.GetFullPath(Path.Combine(sectionFolder, "..", "..", "shared", $"model-s{seed}"));

    /// <summary>The model's final test accuracy from its metrics.csv (NaN when the run left none).</summary>
    public static double TestAccuracy(string modelFolder)
    {
        var path = Path.Combine(modelFolder, MetricsFile.FileName);
        return File.Exists(path) && MetricsFile.Read(path) is { Count: > 0 } rows ? rows[^1].TestAccuracy : double.NaN;
    }

    /// <returns>the run folder of the seed's finished model</returns>
    public static string Ensure(string shared, Preset preset, int seed, string? dataDir, torch.Device device, Action<string> log)
    {
        var folder = Path.Combine(shared, $"model-s{seed}");
        if (File.Exists(Path.Combine(folder, RunDirectory.ManifestFile)) && RunDirectory.Open(folder).ReadManifest().Status == RunStatus.Completed) return folder;
        var settings = For(preset, seed, dataDir);
        using var data = settings.Data.Load(seed, device);
        var spec = settings.Model with { InputChannels = (int)data.Train.SampleShape[0], ImageSize = (int)data.Train.SampleShape[^1], Classes = data.Train.Classes };
        settings = settings with { Model = spec };
        var run = RunDirectory.Create(folder);
        if (!File.Exists(run.ManifestPath))
            run.WriteManifest(new RunManifest { Command = "train", Settings = RunManifest.ToSettings(settings), Seed = seed, Device = device.ToString(), Threads = TorchRuntime.Threads });
        using var model = ModelRegistry.Create(spec, seed);
        model.to(device);
        using var trainer = new Trainer(model, data, settings.Training, run);
        bool resumed = trainer.TryResume();
        log($"{(resumed ? "resuming" : "training")} {spec} seed {seed} into {folder}");
        var result = trainer.Train();
        run.WriteManifest(run.ReadManifest() with { Status = result.Status, StatusDetail = result.Detail, Ended = DateTimeOffset.UtcNow });
        if (result.Status != RunStatus.Completed) throw new LandscapeException($"{folder}: the model of seed {seed} {result.Status.ToString().ToLowerInvariant()}: {result.Detail}");
        log($"seed {seed}: test accuracy {result.Final?.TestAccuracy:P2}");
        return folder;
    }
}
