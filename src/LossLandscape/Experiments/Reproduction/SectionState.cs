using System.Text.Json;
using LossLandscape.Runs;

namespace LossLandscape.Experiments.Reproduction;

public enum SectionProgress { Running, Completed, Failed }

/// <summary>
/// A section's marker in state/ID.json: written when it starts, rewritten when it ends; a rerun skips completed ones.
/// It records where the section ran (commit, threads, device, machine, libraries), so a report rebuilt elsewhere says so.
/// </summary>
public sealed record SectionState(string Id, SectionProgress Progress, DateTimeOffset Started, DateTimeOffset? Ended, double Seconds, string? Failure,
    string Commit, int Threads, string Device, string? Machine = null, string? Libraries = null)
{
    /// <summary>The CPU model, core count and OS of this machine, as the report shows it.</summary>
    public static string ThisMachine()
    {
        string cpu = "unknown CPU";
        try
        {
            if (File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line)
                cpu = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return $"{cpu}, {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }

    public static string TheseLibraries() =>
        string.Join(", ", ProvenanceInfo.Libraries().Where(kv => kv.Key is "dotnet" or "torchsharp" or "libtorch_loaded").Select(kv => $"{kv.Key} {kv.Value}"));

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
