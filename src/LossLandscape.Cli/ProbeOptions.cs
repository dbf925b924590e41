using System.CommandLine;
using LossLandscape.Experiments.Probes;
using LossLandscape.Runs;
using LossLandscape.Training;

namespace LossLandscape.Cli;

/// <summary>What the probe commands share: the model to probe, the data, and where results go.</summary>
public static class ProbeOptions
{
    public static Argument<string> Source(string name = "source") =>
        new(name) { Description = "a run folder (its final checkpoint) or a .safetensors checkpoint" };

    public static readonly Option<string> CheckpointName = new("--checkpoint") { Description = "with a run folder: which checkpoint (e.g. step-00000469)", DefaultValueFactory = _ => "final" };
    public static readonly Option<string?> Out = new("--out", "-o") { Description = "result folder (default: a subfolder of the source run, or runs/<command>-<time>)" };
    public static readonly Option<DataPart?> Part = new("--data") { Description = "train or test data" };
    public static readonly Option<int?> Samples = new("--samples") { Description = "measure on a seeded subset of this many samples" };
    public static readonly Option<int> Seed = new("--seed") { Description = "seed for directions, probes and subsets", DefaultValueFactory = _ => 0 };

    /// <summary>
    /// A probe command: its own arguments and options, the shared probe options (the data options only when
    /// <paramref name="data"/>), and its action.
    /// </summary>
    public static Command Command(string name, string description, Func<ParseResult, int> run, bool data, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            if (symbol is Argument argument) command.Add(argument);
            else command.Add((Option)symbol);
        }
        AddTo(command, data);
        command.SetAction(run);
        return command;
    }

    /// <summary>The last folder (or file) name of a source argument, for naming result folders after it.</summary>
    public static string NameOf(ParseResult p, Argument<string> source) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(p.GetValue(source)!));

    public static void AddTo(Command command, bool data = true)
    {
        command.Add(CheckpointName);
        command.Add(Out);
        if (data)
        {
            command.Add(Part);
            command.Add(Samples);
        }
        command.Add(Seed);
    }

    /// <summary>The trained model named by <paramref name="source"/> (a run folder or checkpoint), at --checkpoint.</summary>
    public static TrainedModel Load(ParseResult p, Argument<string> source, TorchSharp.torch.Device device) =>
        TrainedModel.Load(p.GetValue(source)!, device, p.GetValue(CheckpointName)!);

    public static ProbeData Data(ParseResult p, DataPart defaultPart, int? defaultSamples) =>
        new(p.GetValue(Part) ?? defaultPart, p.GetValue(Samples) ?? defaultSamples, p.GetValue(Seed));

    /// <summary>Creates the result folder with its run.json; the folder name defaults to one beside the source's checkpoints.</summary>
    public static RunDirectory Output<TSettings>(ParseResult p, TrainedModel source, string command, string folderName, TSettings settings)
    {
        var path = p.GetValue(Out)
                   ?? (source.Run is not null ? Path.Combine(source.Run.Path, folderName) : Path.Combine("runs", $"{folderName}-{DateTime.Now:yyyyMMdd-HHmmss}"));
        var run = RunDirectory.Create(path);
        run.WriteManifest(new RunManifest
        {
            Command = command,
            Settings = RunManifest.ToSettings(new { source = source.CheckpointPath, settings }),
            Seed = p.GetValue(Seed),
            Device = TorchRuntime.Device.ToString(),
            Threads = TorchRuntime.Threads,
        });
        return run;
    }

    public static void Complete(RunDirectory run) =>
        run.WriteManifest(run.ReadManifest() with { Status = RunStatus.Completed, Ended = DateTimeOffset.UtcNow });
}
