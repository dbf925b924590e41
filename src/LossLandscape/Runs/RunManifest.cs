using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LossLandscape.Runs;

public enum RunStatus { Running, Completed, Diverged, Failed }

/// <summary>
/// run.json: what was run (command and its settings as JSON), with which seed, code and libraries, on which device
/// and thread count, when, and how it ended. <see cref="Settings"/> is free-form per command, so that every
/// experiment records its own settings record.
/// </summary>
public sealed record RunManifest
{
    public string Command { get; init; } = "";
    public JsonObject Settings { get; init; } = new();
    public int Seed { get; init; }
    public string ToolVersion { get; init; } = ProvenanceInfo.ToolVersion;
    public string GitCommit { get; init; } = ProvenanceInfo.GitCommit;
    public Dictionary<string, string> Libraries { get; init; } = ProvenanceInfo.Libraries();
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; }
    public string Host { get; init; } = Environment.MachineName;
    public DateTimeOffset Started { get; init; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? Ended { get; init; }
    public RunStatus Status { get; init; } = RunStatus.Running;
    public string? StatusDetail { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // NaN marks "not measured" in reports (e.g. a measure without a worst-case loss).
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Serialises any settings record the same way run.json does.</summary>
    public static JsonObject ToSettings<T>(T settings) => JsonSerializer.SerializeToNode(settings, Json)!.AsObject();

    public T SettingsAs<T>() =>
        Settings.Deserialize<T>(Json) ?? throw new LandscapeException("run.json holds no settings");
}
