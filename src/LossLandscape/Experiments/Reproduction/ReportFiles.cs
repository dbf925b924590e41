using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LossLandscape.Reporting.Documents;
using LossLandscape.Runs;

namespace LossLandscape.Experiments.Reproduction;

/// <summary>
/// Reads a section's own files for the report: JSON reports (snake_case, as every experiment writes them), their stored
/// verdict effects (recomputed by <see cref="Verdict.Of"/>, never taken from a stored label), settings from run.json,
/// and figures (a missing figure stays in the list; the report shows it as missing).
/// </summary>
public static class ReportFiles
{
    public static JsonNode Json(string path)
    {
        if (!File.Exists(path)) throw new LandscapeException($"{path}: missing (the section did not finish; rerun reproduce to complete it)");
        try { return JsonNode.Parse(File.ReadAllText(path)) ?? throw new LandscapeException($"{path}: empty"); }
        catch (JsonException e) { throw new LandscapeException($"{path}: not valid JSON ({e.Message})"); }
    }

    /// <summary>The verdicts of a report's "verdicts" array, recomputed from their stored effects.</summary>
    public static IReadOnlyList<Verdict> Verdicts(JsonNode report, string prefix = "") =>
        Items(report["verdicts"]).Select(v =>
        {
            var claim = (string?)v["claim"] ?? throw new LandscapeException("a verdict in the report has no claim");
            var effects = v["effects"] is JsonArray a && a.Count > 0 ? a.Select(e => Number(e)).ToList()
                : throw new LandscapeException($"the verdict '{claim}' has no effects to recompute it from");
            return Verdict.Of(prefix + claim, effects, (string?)v["unit"] ?? "", (string?)v["replicate"] ?? "seed");
        }).ToList();

    /// <summary>A JSON number, or NaN where the report wrote one ("NaN" as a string) or nothing.</summary>
    public static double Number(JsonNode? node) => node switch
    {
        null => double.NaN,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) => p,
        _ => double.NaN,
    };

    /// <summary>The settings an experiment recorded in its run.json, flattened to name = value lines (arrays joined).</summary>
    public static IReadOnlyList<ReportFact> Settings(string runFolder, string prefix = "")
    {
        var path = Path.Combine(runFolder, RunDirectory.ManifestFile);
        if (!File.Exists(path)) return Array.Empty<ReportFact>();
        var settings = Json(path)["settings"];
        var facts = new List<ReportFact>();
        void Walk(JsonNode? node, string name)
        {
            switch (node)
            {
                case null: return;
                case JsonObject o:
                    foreach (var (key, value) in o)
                        if (!key.EndsWith("_or_default", StringComparison.Ordinal)) Walk(value, name.Length == 0 ? key : $"{name}.{key}");
                    break;
                case JsonArray a when a.All(x => x is JsonValue):
                    facts.Add(new ReportFact(prefix + name, string.Join(", ", a.Select(x => x!.ToJsonString().Trim('"')))));
                    break;
                case JsonArray a:
                    for (int i = 0; i < a.Count; i++) Walk(a[i], $"{name}[{i}]");
                    break;
                default:
                    facts.Add(new ReportFact(prefix + name, node.ToJsonString().Trim('"')));
                    break;
            }
        }
        // Experiments store { preset, settings }; the preset is the report's header, not a setting.
        Walk(settings?["settings"] ?? settings, "");
        return facts;
    }

    public static ReportFigure Figure(string folder, string name, string caption) => new(Path.Combine(folder, name + ".png"), caption);

    public static string F(double value, string format = "G4") =>
        double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

    public static string Percent(double value) => double.IsNaN(value) ? "-" : (100 * value).ToString("F2", CultureInfo.InvariantCulture) + " %";

    public static IEnumerable<JsonNode> Items(JsonNode? array) => array?.AsArray().Where(n => n is not null).Select(n => n!) ?? Enumerable.Empty<JsonNode>();

    public static IReadOnlyList<string> Strings(JsonNode? array) => Items(array).Select(n => (string?)n ?? "").ToList();
}
