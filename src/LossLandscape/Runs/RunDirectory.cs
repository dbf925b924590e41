namespace LossLandscape.Runs;

/// <summary>
/// One run's folder: run.json, metrics.csv, checkpoints/NAME.safetensors, state/resume.safetensors,
/// plots and reports. Creating one checks up front that the folder is writable, so a bad --out fails
/// before any work is done.
/// </summary>
public sealed class RunDirectory
{
    public const string ManifestFile = "run.json";

    RunDirectory(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string ManifestPath => System.IO.Path.Combine(Path, ManifestFile);
    public string MetricsPath => System.IO.Path.Combine(Path, MetricsFile.FileName);
    public string CheckpointsPath => System.IO.Path.Combine(Path, "checkpoints");
    public string ResumePath => System.IO.Path.Combine(Path, "state", "resume.safetensors");

    public string Checkpoint(string name) => System.IO.Path.Combine(CheckpointsPath, name + ".safetensors");
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Creates (or reuses) a run folder and checks that it can be written.</summary>
    public static RunDirectory Create(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            var probe = System.IO.Path.Combine(path, $".write-test-{Environment.ProcessId}");
            System.IO.File.WriteAllText(probe, "");
            System.IO.File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LandscapeException($"{path}: cannot write the run folder ({e.Message})");
        }
        return new RunDirectory(path);
    }

    /// <summary>Opens an existing run folder (one that has run.json).</summary>
    public static RunDirectory Open(string path)
    {
        if (!Directory.Exists(path)) throw new LandscapeException($"{path}: no such run folder");
        var run = new RunDirectory(path);
        if (!System.IO.File.Exists(run.ManifestPath)) throw new LandscapeException($"{path}: not a run folder (no {ManifestFile})");
        return run;
    }

    public RunManifest ReadManifest()
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<RunManifest>(System.IO.File.ReadAllText(ManifestPath), RunManifest.Json)
                ?? throw new DataFormatException(ManifestPath, "empty run manifest");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new DataFormatException(ManifestPath, $"not a valid run manifest ({e.Message})");
        }
    }

    public void WriteManifest(RunManifest manifest) =>
        AtomicFile.WriteAllText(ManifestPath, System.Text.Json.JsonSerializer.Serialize(manifest, RunManifest.Json));

    /// <summary>Trajectory checkpoints in training order (names sort by their zero-padded step).</summary>
    public IReadOnlyList<string> TrajectoryCheckpoints() =>
        Directory.Exists(CheckpointsPath)
            ? Directory.GetFiles(CheckpointsPath, "step-*.safetensors").OrderBy(f => f, StringComparer.Ordinal).ToList()
            : Array.Empty<string>();
}
