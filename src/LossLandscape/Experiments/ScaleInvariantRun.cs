using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments;

/// <summary>
/// One training run of a scale-invariant model inside an experiment's folder: a `train` run folder (run.json,
/// metrics.csv with the <see cref="ScaleInvariantMetrics"/> columns, first and final checkpoints) that the probe
/// commands can open, shared by the periodic-behaviour and the sphere experiments.
/// </summary>
static class ScaleInvariantRun
{
    /// <param name="configure">Turns the base training settings into the run's, given the freshly initialised model
    /// (training on the sphere reads rho0 from it).</param>
    /// <returns>The training result and rho at initialisation (after any placement on the sphere).</returns>
    public static (TrainingResult Result, double InitialNorm) Train(RunDirectory run, ModelSpec spec, DataSettings dataSettings, DataSplit data, int seed, Device device,
        Func<LandscapeModel, TrainSettings> configure, IEnumerable<ITrainingCallback>? callbacks = null)
    {
        spec = spec with { InputChannels = (int)data.Train.SampleShape[0], ImageSize = (int)data.Train.SampleShape[^1], Classes = data.Train.Classes };
        using var model = ModelRegistry.Create(spec, seed);
        model.to(device);
        var training = configure(model);
        if (training.Sphere is { } sphere) ScaleInvariantGroup.Of(model).ProjectTo(sphere.Radius);
        double initialNorm = ScaleInvariantGroup.Of(model).Norm();
        run.WriteManifest(new RunManifest
        {
            Command = "train",
            Settings = RunManifest.ToSettings(new TrainRunSettings(model.Spec, dataSettings, training)),
            Seed = seed, Device = device.ToString(), Threads = TorchRuntime.Threads,
        });
        using var metrics = new ScaleInvariantMetrics();
        using var trainer = new Trainer(model, data, training, run, new ITrainingCallback[] { metrics }.Concat(callbacks ?? Array.Empty<ITrainingCallback>()));
        var result = trainer.Train();
        run.WriteManifest(run.ReadManifest() with { Status = result.Status, StatusDetail = result.Detail, Ended = DateTimeOffset.UtcNow });
        return (result, initialNorm);
    }

    /// <summary>A short form of a rate for folder names and legends: 1, 0.03, 1e-05.</summary>
    public static string Label(double value) => value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture).ToLowerInvariant();
}
