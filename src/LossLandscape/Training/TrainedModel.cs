using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Training;

/// <summary>
/// A model to probe, from a run folder (its final checkpoint, or a named one) or a checkpoint file, together with
/// the data settings and seed it was trained with, so that probes see the data exactly as training did
/// (the same subset and the same standardisation).
/// </summary>
public sealed class TrainedModel : IDisposable
{
    TrainedModel(LandscapeModel model, string checkpoint, RunDirectory? run, TrainRunSettings? settings)
    {
        Model = model;
        CheckpointPath = checkpoint;
        Run = run;
        Settings = settings;
    }

    public LandscapeModel Model { get; }
    public string CheckpointPath { get; }
    public RunDirectory? Run { get; }
    public TrainRunSettings? Settings { get; }
    public DataSettings Data => Settings?.Data ?? new DataSettings();
    public int Seed => Settings?.Training.Seed ?? 0;

    /// <param name="path">A run folder (with run.json) or a .safetensors checkpoint.</param>
    /// <param name="checkpoint">With a run folder: the checkpoint name (default "final").</param>
    public static TrainedModel Load(string path, Device device, string checkpoint = "final")
    {
        RunDirectory? run = null;
        string file;
        if (Directory.Exists(path))
        {
            run = RunDirectory.Open(path);
            file = run.Checkpoint(checkpoint);
            if (!File.Exists(file))
                throw new LandscapeException($"{path}: no checkpoint '{checkpoint}' (is the run finished? see {run.CheckpointsPath})");
        }
        else if (File.Exists(path))
        {
            file = path;
            var folder = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(path)));
            if (folder is not null && File.Exists(Path.Combine(folder, RunDirectory.ManifestFile))) run = RunDirectory.Open(folder);
        }
        else
        {
            throw new LandscapeException($"{path}: no such run folder or checkpoint");
        }
        TrainRunSettings? settings = null;
        // Runs made by train, and the model copies made by permute and match, carry the training settings.
        if (run is not null && run.ReadManifest() is { Command: "train" or "permute" or "match" } manifest) settings = manifest.SettingsAs<TrainRunSettings>();
        var model = Checkpoint.Load(file, device);
        return new TrainedModel(model, file, run, settings);
    }

    /// <summary>The training and test data as this model saw them.</summary>
    public DataSplit LoadData(Device device) => Data.Load(Seed, device);

    public void Dispose() => Model.Dispose();
}
