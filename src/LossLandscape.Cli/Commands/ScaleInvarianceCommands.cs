using System.CommandLine;
using LossLandscape.Experiments;
using LossLandscape.Models;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape experiment scale-invariance` and `landscape experiment sphere` (Lobacheva et al. 2021; Kodryan et al. 2022).</summary>
public static class ScaleInvarianceCommands
{
    public static Command Periodic()
    {
        var lrs = new Option<double[]>("--lr") { Description = "learning rates (one run per rate and seed)", AllowMultipleArgumentsPerToken = true };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "weight decay" };
        var epochs = new Option<int?>("--epochs") { Description = "epochs of each run" };
        var seeds = new Option<int[]>("--seeds") { Description = "seeds", AllowMultipleArgumentsPerToken = true };
        var trainSize = new Option<int?>("--train-size") { Description = "training subset" };
        var sharpnessEvery = new Option<int?>("--sharpness-every") { Description = "measure the scale-invariant sharpness every N epochs (0: never)" };
        var (model, width, depth) = ModelOptions();
        var command = new Command("scale-invariance",
            "Periodic behaviour of BatchNorm + weight decay: plain SGD with a constant LR; periods of the weight norm, effective LR, effective gradient norm, phase plot (Lobacheva et al. 2021).")
            { ExperimentCommand.PresetOption, ExperimentCommand.Out, lrs, weightDecay, epochs, seeds, trainSize, sharpnessEvery, model, width, depth, DataOptions.Dataset, DataOptions.DataDir };
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
            var preset = p.GetValue(ExperimentCommand.PresetOption);
            var d = ScaleInvarianceSettings.For(preset);
            var s = d with
            {
                LearningRates = p.GetValue(lrs) is { Length: > 0 } given ? given : d.LearningRates, WeightDecay = p.GetValue(weightDecay) ?? d.WeightDecay,
                Epochs = p.GetValue(epochs) ?? d.Epochs, Seeds = p.GetValue(seeds) is { Length: > 0 } gs ? gs : d.Seeds,
                TrainSize = p.GetValue(trainSize) ?? d.TrainSize, SharpnessEvery = p.GetValue(sharpnessEvery) ?? d.SharpnessEvery,
                Model = Spec(p, model, width, depth, d.ModelOrDefault), DataDir = p.GetValue(DataOptions.DataDir),
                Dataset = p.GetResult(DataOptions.Dataset) is null ? d.Dataset : p.GetValue(DataOptions.Dataset)!,
            };
            s.Validate();
            var run = ExperimentCommand.Output(p, "scale-invariance", preset, s, s.SeedsOrDefault[0]);
            var report = ScaleInvariance.Run(s, run, device, Console.WriteLine);
            ExperimentCommand.Finish(run);
            Console.WriteLine($"{report.Seconds:F0} s; {run.Path}");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Sphere()
    {
        var elrs = new Option<double[]>("--elr") { Description = "effective learning rates (one run per ELR and seed)", AllowMultipleArgumentsPerToken = true };
        var epochs = new Option<int?>("--epochs") { Description = "epochs of each run" };
        var seeds = new Option<int[]>("--seeds") { Description = "seeds", AllowMultipleArgumentsPerToken = true };
        var trainSize = new Option<int?>("--train-size") { Description = "training subset" };
        var (model, width, depth) = ModelOptions();
        var command = new Command("sphere",
            "Training on the sphere at fixed effective LRs: each run named converging, chaotic equilibrium or diverging; final train loss against ELR (Kodryan et al. 2022).")
            { ExperimentCommand.PresetOption, ExperimentCommand.Out, elrs, epochs, seeds, trainSize, model, width, depth, DataOptions.Dataset, DataOptions.DataDir };
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
            var preset = p.GetValue(ExperimentCommand.PresetOption);
            var d = SphereRegimesSettings.For(preset);
            var s = d with
            {
                EffectiveLearningRates = p.GetValue(elrs) is { Length: > 0 } given ? given : d.EffectiveLearningRates,
                Epochs = p.GetValue(epochs) ?? d.Epochs, Seeds = p.GetValue(seeds) is { Length: > 0 } gs ? gs : d.Seeds,
                TrainSize = p.GetValue(trainSize) ?? d.TrainSize, Model = Spec(p, model, width, depth, d.ModelOrDefault), DataDir = p.GetValue(DataOptions.DataDir),
                Dataset = p.GetResult(DataOptions.Dataset) is null ? d.Dataset : p.GetValue(DataOptions.Dataset)!,
            };
            s.Validate();
            var run = ExperimentCommand.Output(p, "sphere", preset, s, s.SeedsOrDefault[0]);
            var report = SphereRegimes.Run(s, run, device, Console.WriteLine);
            ExperimentCommand.Finish(run);
            foreach (var group in report.Runs.GroupBy(r => r.Seed))
                Console.WriteLine($"seed {group.Key}: " + string.Join(", ", group.OrderBy(r => r.EffectiveLearningRate).Select(r => $"{r.EffectiveLearningRate:G4}: {SphereRegimes.Name(r.Call.Regime)}")));
            Console.WriteLine($"{report.Seconds:F0} s; {run.Path}");
            return ExitCodes.Success;
        });
        return command;
    }

    static (Option<string?> Model, Option<int?> Width, Option<int?> Depth) ModelOptions() => (
        new Option<string?>("--model") { Description = "mlp-si (default for smoke and quick) or convnet-si" },
        new Option<int?>("--width") { Description = "mlp-si units per layer, or convnet-si's c (channels c, 2c, 4c, 8c)" },
        new Option<int?>("--depth") { Description = "mlp-si hidden layers" });

    static ModelSpec Spec(ParseResult p, Option<string?> model, Option<int?> width, Option<int?> depth, ModelSpec preset)
    {
        var kind = p.GetValue(model) is { } name ? ModelRegistry.Get(name).Name : preset.Kind;
        if (kind is not ("mlp-si" or "convnet-si")) throw new LandscapeException($"--model must be scale invariant (mlp-si or convnet-si), got {kind}");
        var spec = kind == preset.Kind ? preset : new ModelSpec(kind, kind == "convnet-si" ? 32 : 256, 2);
        return spec with { Width = p.GetValue(width) ?? spec.Width, Depth = p.GetValue(depth) ?? spec.Depth };
    }
}
