using System.Text.Json;
using LossLandscape.Runs;

namespace LossLandscape.Experiments.Reproduction;

public enum SectionProgress { Running, Completed, Failed }

/// <summary>A section's marker in state/ID.json: written when it starts, rewritten when it ends; a rerun skips completed ones.</summary>
public sealed record SectionState(string Id, SectionProgress Progress, DateTimeOffset Started, DateTimeOffset? Ended, double Seconds, string? Failure,
    string Commit, int Threads, string Device)
{
    public static string PathOf(string root, string id) => Path.Combine(root, "state", id + ".json");

    public static SectionState? Read(string root, string id)
    {
        var path = PathOf(root, id);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<SectionState>(File.ReadAllText(path), RunManifest.Json); }
        catch (JsonException) { return null; } // a marker that cannot be read counts as never run: the section runs again
    }

    public void Write(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "state"));
        AtomicFile.WriteAllText(PathOf(root, Id), JsonSerializer.Serialize(this, RunManifest.Json));
    }
}
