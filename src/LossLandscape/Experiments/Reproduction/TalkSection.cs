using System.Text.Json.Nodes;
using LossLandscape.Reporting.Documents;
using LossLandscape.Runs;
using LossLandscape.Runs.Sweeps;
using TorchSharp;

namespace LossLandscape.Experiments.Reproduction;

/// <summary>What a section needs to run: its preset, its own folder, the device, the data, and how sweeps are run.</summary>
/// <param name="Shared">folder shared by all sections (models several sections probe are trained there once)</param>
/// <param name="RunSweep">runs a sweep's unfinished tasks (the runner chosen on the command line) and says whether all succeeded</param>
public sealed record SectionContext(Preset Preset, RunDirectory Folder, string Shared, torch.Device Device, string? DataDir,
    Func<SweepDirectory, bool> RunSweep, Action<string> Log);

/// <summary>What a finished section's files say: its claims with verdicts, figures, tables, settings and commands.</summary>
public sealed record SectionFindings(IReadOnlyList<Verdict> Claims, IReadOnlyList<ReportFigure> Figures, IReadOnlyList<ReportTable> Tables,
    IReadOnlyList<ReportFact> Settings, IReadOnlyList<string> Commands, IReadOnlyList<string> Notes);

/// <summary>
/// One part of the talk made runnable: <see cref="Run"/> composes the library's experiments into the section's folder;
/// <see cref="Read"/> turns that folder's files back into findings, so every number of the report comes from the run's
/// own files and verdicts are recomputed from the effects stored there by the one rule (<see cref="Verdict.Of"/>).
/// </summary>
public abstract class TalkSection
{
    /// <summary>Short name used on the command line (--only) and as the folder name.</summary>
    public abstract string Id { get; }

    public abstract string Title { get; }

    /// <summary>What the talk claims here, in its own words where possible.</summary>
    public abstract string Talk { get; }

    /// <summary>Where the paper settings come from and what they cost on one GPU (the paper preset's documentation).</summary>
    public abstract string PaperScale { get; }

    public abstract void Run(SectionContext context);

    public abstract SectionFindings Read(string folder, Preset preset);

    /// <summary>The `landscape` command line of a preset, for the report's "reproduce" lines.</summary>
    protected static string PresetOption(Preset preset) => $"--preset {preset.ToString().ToLowerInvariant()}";

    /// <summary>
    /// Runs one sub-experiment of a section into its own folder, unless an earlier run of the section finished it (its
    /// run.json says completed): a section killed half-way keeps the parts it finished when it is run again.
    /// </summary>
    protected static void Step<T>(SectionContext context, string folder, string command, T settings, int seed, Action<RunDirectory> run)
    {
        var path = context.Folder.File(folder);
        if (File.Exists(System.IO.Path.Combine(path, RunDirectory.ManifestFile)) && RunDirectory.Open(path).ReadManifest() is { Status: RunStatus.Completed } done)
        {
            // Kept only when it ran with the settings asked for now (a preset can change between versions of the tool).
            if (JsonNode.DeepEquals(done.Settings, RunManifest.ToSettings(new { preset = context.Preset, settings })))
            {
                context.Log($"{folder}: finished earlier, kept");
                return;
            }
            // Its sweeps and runs would refuse or mix the new settings: the old files go (they are this reproduction's own).
            context.Log($"{folder}: finished earlier with other settings; removing it and running it again");
            Directory.Delete(path, recursive: true);
        }
        var output = Experiment(context, folder, command, settings, seed);
        run(output);
        Finish(output);
    }

    /// <summary>A sub-experiment's folder with its run.json, as `landscape experiment` would write it.</summary>
    protected static RunDirectory Experiment<T>(SectionContext context, string folder, string command, T settings, int seed)
    {
        var run = RunDirectory.Create(context.Folder.File(folder));
        run.WriteManifest(new RunManifest
        {
            Command = command,
            Settings = RunManifest.ToSettings(new { preset = context.Preset, settings }),
            Seed = seed,
            Device = context.Device.ToString(),
            Threads = TorchRuntime.Threads,
        });
        return run;
    }

    protected static void Finish(RunDirectory run) =>
        run.WriteManifest(run.ReadManifest() with { Status = RunStatus.Completed, Ended = DateTimeOffset.UtcNow });
}
