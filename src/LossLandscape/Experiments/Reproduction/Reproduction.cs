using System.Diagnostics;
using System.Text.Json;
using LossLandscape.Runs;
using LossLandscape.Runs.Sweeps;
using TorchSharp;

namespace LossLandscape.Experiments.Reproduction;

/// <summary>What `landscape reproduce` was asked: the preset, the result folder, where the data lies.</summary>
public sealed record ReproduceSettings(Preset Preset, string Out, string? DataDir = null);

public sealed record ReproductionOutcome(IReadOnlyList<SectionState> Sections, string HtmlReport, string MarkdownReport, double Seconds)
{
    public bool Success => Sections.All(s => s.Progress == SectionProgress.Completed);
}

/// <summary>
/// Runs the talk's sections in order into OUT/sections/ID, each with a state marker (OUT/state/ID.json): a completed section
/// is skipped on a rerun, a failed or interrupted one runs again (the experiments inside resume their sweeps and training
/// runs). A failing section is recorded and the others still run. Then writes report.html and report.md from the files.
/// </summary>
public static class Reproduction
{
    public const string ManifestFile = "reproduce.json";

    sealed record Manifest(Preset Preset, DateTimeOffset Created, string ToolVersion, string Commit);

    /// <param name="sections">the sections to run, in order (<see cref="Talk.Select"/>)</param>
    /// <param name="reported">the sections the report shows (default: <paramref name="sections"/>; the CLI passes the whole talk,
    /// so running some sections again never shrinks the report to them)</param>
    public static ReproductionOutcome Run(ReproduceSettings s, IReadOnlyList<TalkSection> sections, torch.Device device, Func<SweepDirectory, bool> runSweep,
        Action<string> log, IReadOnlyList<TalkSection>? reported = null)
    {
        var clock = Stopwatch.StartNew();
        Prepare(s);
        var states = new List<SectionState>();
        for (int i = 0; i < sections.Count; i++)
        {
            var section = sections[i];
            string tag = $"[{i + 1}/{sections.Count} {section.Id}]";
            if (SectionState.Read(s.Out, section.Id) is { Progress: SectionProgress.Completed } done && Readable(section, s))
            {
                log($"{tag} done earlier in {done.Seconds:F0} s; skipped");
                states.Add(done);
                continue;
            }
            log($"{tag} {section.Title} ({clock.Elapsed:hh\\:mm\\:ss} so far, {states.Count(x => x.Progress == SectionProgress.Completed)} of {sections.Count} done)");
            states.Add(RunOne(section, s, device, runSweep, msg => log($"{tag} {msg}")));
        }
        var (html, markdown) = TalkReport.Write(s.Out, s.Preset, reported ?? sections);
        log($"report: {html} and {markdown}");
        return new ReproductionOutcome(states, html, markdown, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The preset a reproduction folder was made with.</summary>
    public static Preset PresetOf(string root)
    {
        var path = Path.Combine(root, ManifestFile);
        if (!File.Exists(path)) throw new LandscapeException($"{root}: not a reproduction folder (no {ManifestFile})");
        try
        {
            return (JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), RunManifest.Json) ?? throw new JsonException("empty")).Preset;
        }
        catch (JsonException e)
        {
            throw new LandscapeException($"{path}: unreadable ({e.Message})");
        }
    }

    /// <summary>
    /// A completed marker counts only while the section's files still read back (files deleted since, or a newer reader
    /// that needs a file an older run did not write): otherwise the section runs again, keeping its finished parts.
    /// </summary>
    static bool Readable(TalkSection section, ReproduceSettings s)
    {
        try
        {
            section.Read(Path.Combine(s.Out, "sections", section.Id), s.Preset);
            return true;
        }
        catch (Exception e) when (e is LandscapeException or IOException or JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    static void Prepare(ReproduceSettings s)
    {
        var root = RunDirectory.Create(s.Out);
        var path = root.File(ManifestFile);
        if (File.Exists(path))
        {
            var existing = PresetOf(s.Out);
            if (existing != s.Preset)
                throw new LandscapeException($"{s.Out} holds a {existing.ToString().ToLowerInvariant()} reproduction; use another --out for --preset {s.Preset.ToString().ToLowerInvariant()}");
            return;
        }
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new Manifest(s.Preset, DateTimeOffset.UtcNow, ProvenanceInfo.ToolVersion, ProvenanceInfo.GitCommit), RunManifest.Json));
    }

    static SectionState RunOne(TalkSection section, ReproduceSettings s, torch.Device device, Func<SweepDirectory, bool> runSweep, Action<string> log)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        SectionState State(SectionProgress progress, string? failure) =>
            new(section.Id, progress, started, progress == SectionProgress.Running ? null : DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, failure,
                ProvenanceInfo.GitCommit, TorchRuntime.Threads, device.ToString(), SectionState.ThisMachine(), SectionState.TheseLibraries());
        State(SectionProgress.Running, null).Write(s.Out);
        try
        {
            var folder = RunDirectory.Create(Path.Combine(s.Out, "sections", section.Id));
            var shared = Path.Combine(s.Out, "shared");
            section.Run(new SectionContext(s.Preset, folder, shared, device, s.DataDir, runSweep, log));
            section.Read(folder.Path, s.Preset); // a section is done only when its report can be read back
            File.Delete(folder.File("failure.txt")); // what an earlier attempt left
            var state = State(SectionProgress.Completed, null);
            state.Write(s.Out);
            log($"done in {state.Seconds:F0} s");
            return state;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or RunInterruptedException))
        {
            // One line for the report and the log; a bug's whole trace goes to failure.txt beside the section's files.
            var line = e is LandscapeException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            line = line.Split('\n')[0].Trim();
            var folder = Path.Combine(s.Out, "sections", section.Id);
            Directory.CreateDirectory(folder);
            AtomicFile.WriteAllText(Path.Combine(folder, "failure.txt"), e.ToString());
            var state = State(SectionProgress.Failed, line);
            state.Write(s.Out);
            log($"FAILED after {state.Seconds:F0} s: {line}" + (e is LandscapeException ? "" : $" (trace in {Path.Combine(folder, "failure.txt")})"));
            return state;
        }
    }
}
