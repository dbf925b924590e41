using System.CommandLine;
using LossLandscape.Cli.Terminal;
using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Runs;
using LossLandscape.Sharpness;
using LossLandscape.Training;
using TorchSharp;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape train`: trains one model on one dataset into a run folder; `--resume DIR` continues one.</summary>
public static class TrainCommand
{
    static readonly Option<string> Model = new("--model") { Description = "architecture: " + string.Join(", ", ModelRegistry.All.Select(e => $"{e.Name} ({e.Description})")), DefaultValueFactory = _ => "mlp" };
    static readonly Option<int> Width = new("--width") { Description = "hidden units (mlp) or base channels k (cnn)", DefaultValueFactory = _ => 256 };
    static readonly Option<int> Depth = new("--depth") { Description = "hidden layers (mlp)", DefaultValueFactory = _ => 2 };
    static readonly Option<bool?> BatchNorm = new("--bn") { Description = "BatchNorm after hidden layers (default: on for cnn and resnet18, off for mlp)" };
    static readonly Option<int> Epochs = new("--epochs") { Description = "training epochs", DefaultValueFactory = _ => 10 };
    static readonly Option<int> BatchSize = new("--batch-size") { Description = "mini-batch size", DefaultValueFactory = _ => 128 };
    static readonly Option<OptimizerKind> Optimizer = new("--optimizer") { Description = "sgd or adam", DefaultValueFactory = _ => OptimizerKind.Sgd };
    static readonly Option<double> Lr = new("--lr") { Description = "base learning rate", DefaultValueFactory = _ => 0.01 };
    static readonly Option<double> Momentum = new("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => 0.9 };
    static readonly Option<bool> Nesterov = new("--nesterov") { Description = "Nesterov momentum" };
    static readonly Option<double> WeightDecay = new("--weight-decay") { Description = "L2 weight decay", DefaultValueFactory = _ => 0.0 };
    static readonly Option<ScheduleKind> Schedule = new("--schedule") { Description = "constant, step, linear (const to 50%, linear to 1% at 90%), cosine, cyclic", DefaultValueFactory = _ => ScheduleKind.Constant };
    static readonly Option<int[]> AnnealEpoch = new("--anneal-epoch") { Description = "epochs (0-based) from which the step schedule multiplies the lr by --anneal-factor", AllowMultipleArgumentsPerToken = true };
    static readonly Option<double> AnnealFactor = new("--anneal-factor") { Description = "step schedule factor", DefaultValueFactory = _ => 0.1 };
    static readonly Option<int> Cycles = new("--cycles") { Description = "cycles of the cyclic schedule", DefaultValueFactory = _ => 1 };
    static readonly Option<int> Seed = new("--seed") { Description = "seed for initialisation, shuffling and data transforms", DefaultValueFactory = _ => 0 };
    static readonly Option<int> CheckpointEvery = new("--checkpoint-every") { Description = "trajectory checkpoint every N epochs (0: only first and last)", DefaultValueFactory = _ => 1 };
    static readonly Option<int> CheckpointEverySteps = new("--checkpoint-every-steps") { Description = "also a trajectory checkpoint every N steps (0: none)", DefaultValueFactory = _ => 0 };
    static readonly Option<string?> Out = new("--out", "-o") { Description = "run folder (default: runs/<model>-<dataset>-s<seed>-<time>)" };
    static readonly Option<int?> SiSharpness = new("--si-sharpness") { Description = "every N epochs, log the top Hessian eigenvalue of the scale-invariant weights times rho^2 (mlp-si, convnet-si; columns si_top_eigenvalue, si_sharpness)" };
    static readonly Option<bool> SaveLogits = new("--save-logits") { Description = "at the end, store test and training logits and labels in predictions/ (for ensembles, calibration, interpolation)" };
    static readonly Option<string?> Resume = new("--resume") { Description = "continue the run in this folder from its last committed epoch" };
    static readonly Option<double?> FixElr = new("--fix-elr") { Description = "train on the sphere at this effective LR (convnet-si, mlp-si): lr = ELR * rho0^2, the scale-invariant weights rescaled to their initial norm rho0 after every step; no weight decay, momentum 0 unless given" };

    public static Command Create()
    {
        var command = new Command("train", "Train a model and record metrics, checkpoints and a resumable state in a run folder.");
        foreach (var o in new Option[] { Model, Width, Depth, BatchNorm, Epochs, BatchSize, Optimizer, Lr, Momentum, Nesterov, WeightDecay,
                     Schedule, AnnealEpoch, AnnealFactor, Cycles, Seed, CheckpointEvery, CheckpointEverySteps, SaveLogits, SiSharpness, Out, Resume, FixElr })
            command.Add(o);
        DataOptions.AddTo(command);
        command.SetAction(Run);
        return command;
    }

    static int Run(ParseResult parse)
    {
        var device = GlobalOptions.Apply(parse);
        var progress = new TrainingProgress(parse.GetValue(GlobalOptions.Progress));
        RunDirectory run;
        TrainRunSettings settings;
        if (parse.GetValue(Resume) is { } resumeFolder)
        {
            run = RunDirectory.Open(resumeFolder);
            var manifest = run.ReadManifest();
            if (manifest.Command != "train") throw new LandscapeException($"{resumeFolder}: a '{manifest.Command}' run, not a train run");
            if (manifest.Status == RunStatus.Completed)
            {
                Console.WriteLine($"{run.Path}: already completed");
                return ExitCodes.Success;
            }
            settings = manifest.SettingsAs<TrainRunSettings>();
        }
        else
        {
            settings = FromOptions(parse);
            settings.Training.Validate();
            run = null!;
        }

        // Everything that can fail on bad input happens before the run folder is created.
        long[] corruptedIndices = Array.Empty<long>();
        using var data = DownloadProgress.Run(parse.GetValue(GlobalOptions.Progress),
            progress => settings.Data.Load(settings.Training.Seed, device, progress, out corruptedIndices));
        var spec = settings.Model with
        {
            InputChannels = (int)data.Train.SampleShape[0],
            ImageSize = (int)data.Train.SampleShape[^1],
            Classes = data.Train.Classes,
        };
        settings = settings with { Model = spec };
        using var model = ModelRegistry.Create(spec, settings.Training.Seed);
        model.to(device);
        if (run is null && parse.GetValue(FixElr) is { } elr)
            settings = settings with { Training = SphereSettings.FixEffectiveLearningRate(settings.Training, model, elr) };
        if (parse.GetValue(SiSharpness) is { } sharpnessEvery)
        {
            if (!ScaleInvariantGroup.Supports(model))
                throw new LandscapeException($"--si-sharpness needs a scale-invariant model (mlp-si or convnet-si), not {spec.Kind}");
            new ScaleInvariantSharpnessSettings(Every: sharpnessEvery).Validate();
        }
        if (run is null)
        {
            var outFolder = parse.GetValue(Out) ?? Path.Combine("runs", $"{spec.Kind}-{settings.Data.Dataset}-s{settings.Training.Seed}-{DateTime.Now:yyyyMMdd-HHmmss}");
            run = RunDirectory.Create(outFolder);
            run.WriteManifest(new RunManifest
            {
                Command = "train",
                Settings = RunManifest.ToSettings(settings),
                Seed = settings.Training.Seed,
                Device = device.ToString(),
                Threads = TorchRuntime.Threads,
            });
            if (corruptedIndices.Length > 0)
                AtomicFile.WriteAllText(run.File("label_noise.csv"),
                    "train_index\n" + string.Concat(corruptedIndices.Select(i => i + "\n")));
        }

        using var scaleInvariant = ScaleInvariantGroup.Supports(model) ? new ScaleInvariantMetrics() : null;
        using var sharpness = parse.GetValue(SiSharpness) is { } every
            ? new ScaleInvariantSharpness(data.Train, new ScaleInvariantSharpnessSettings(Every: every))
            : null;
        using var trainer = new Trainer(model, data, settings.Training, run, new ITrainingCallback?[] { scaleInvariant, sharpness, progress }.OfType<ITrainingCallback>());
        bool resumed = trainer.TryResume();
        Console.WriteLine($"{(resumed ? "resuming" : "training")} {spec} ({model.ParameterCount:N0} parameters) on {settings.Data.Dataset} " +
                          $"[{data.Train.Count} train / {data.Test.Count} test] into {run.Path}" + (resumed ? $" from epoch {trainer.Epoch}" : ""));
        var result = progress.Run($"train {spec.Kind}", trainer.Train);
        var manifestNow = run.ReadManifest();
        run.WriteManifest(manifestNow with { Status = result.Status, StatusDetail = result.Detail, Ended = DateTimeOffset.UtcNow });
        if (result.Status == RunStatus.Diverged)
        {
            Console.Error.WriteLine($"landscape: the run diverged: {result.Detail}; run folder {run.Path}");
            return ExitCodes.Diverged;
        }
        if (parse.GetValue(SaveLogits) && result.Status == RunStatus.Completed)
        {
            using (var logits = Evaluation.Logits(model, data.Test)) Predictions.Write(run.Path, "test", logits, data.Test.Labels);
            // Training labels as trained on (noisy where --label-noise corrupted them), predictions in eval mode.
            using (var logits = Evaluation.Logits(model, data.Train)) Predictions.Write(run.Path, "train", logits, data.Train.Labels);
        }
        if (result.Final is { } f)
            Console.WriteLine($"done: test accuracy {f.TestAccuracy:P2}, test loss {f.TestLoss:F4}, {f.SamplesPerSecond:N0} samples/s in the last epoch; {run.Path}");
        return ExitCodes.Success;
    }

    static TrainRunSettings FromOptions(ParseResult p)
    {
        string kind = ModelRegistry.Get(p.GetValue(Model)!).Name;
        bool sphere = p.GetValue(FixElr) is not null;
        if (sphere && p.GetResult(Lr) is { Implicit: false }) throw new LandscapeException("--fix-elr sets the learning rate (ELR * rho0^2); leave out --lr");
        var spec = new ModelSpec(kind, p.GetValue(Width), p.GetValue(Depth), p.GetValue(BatchNorm) ?? kind is "cnn" or "resnet18" or "convnet-si" or "mlp-si");
        var anneal = p.GetValue(AnnealEpoch);
        var training = new TrainSettings(
            Epochs: p.GetValue(Epochs),
            BatchSize: p.GetValue(BatchSize),
            Optimizer: new OptimizerSettings(p.GetValue(Optimizer), p.GetValue(Lr), sphere && p.GetResult(Momentum) is not { Implicit: false } ? 0 : p.GetValue(Momentum), p.GetValue(Nesterov), p.GetValue(WeightDecay)),
            Schedule: new LrSchedule(p.GetValue(Schedule), anneal is { Length: > 0 } ? anneal : null, p.GetValue(AnnealFactor), Cycles: p.GetValue(Cycles)),
            Seed: p.GetValue(Seed),
            CheckpointEvery: p.GetValue(CheckpointEvery),
            CheckpointEverySteps: p.GetValue(CheckpointEverySteps));
        return new TrainRunSettings(spec, DataOptions.Read(p), training);
    }
}
