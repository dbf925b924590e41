using System.CommandLine;
using LossLandscape.Experiments.Langevin;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape experiment langevin`: SGD as sampling (SGLD vs cSGLD on 25 Gaussians, the OU covariance of SGD, the gap of SGLD vs SGD).</summary>
public static class LangevinCommand
{
    public static Command Create()
    {
        var seeds = new Option<int[]>("--seeds") { Description = "seeds of the OU problems and the Fashion-MNIST runs", AllowMultipleArgumentsPerToken = true };
        var toySeed = new Option<int?>("--toy-seed") { Description = "seed of the toy's chains" };
        var toySteps = new Option<int?>("--toy-steps") { Description = "gradient evaluations per toy chain (the paper: 50000)" };
        var chains = new Option<int?>("--toy-chains") { Description = "evaluation chains of the toy (the replicates of its verdicts)" };
        var epochs = new Option<int?>("--epochs") { Description = "epochs of the Fashion-MNIST SGD run (SGLD runs as many steps)" };
        var trainSize = new Option<int?>("--train-size") { Description = "Fashion-MNIST training subset" };
        var command = new Command("langevin",
            "SGD as sampling: SGLD vs cyclical SGLD on 25 Gaussians, constant-LR SGD's covariance vs the Ornstein-Uhlenbeck prediction (temperature eta/S), " +
            "and the generalisation gap of SGLD's sample average vs SGD's end point on Fashion-MNIST.")
            { ExperimentCommand.PresetOption, ExperimentCommand.Out, seeds, toySeed, toySteps, chains, epochs, trainSize, DataOptions.DataDir };
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
            var preset = p.GetValue(ExperimentCommand.PresetOption);
            var d = LangevinSettings.For(preset);
            var toy = d.ToyOrDefault;
            var gap = d.GapOrDefault;
            var s = d with
            {
                Toy = toy with { Steps = p.GetValue(toySteps) ?? toy.Steps, Chains = p.GetValue(chains) ?? toy.Chains },
                Gap = gap with { Epochs = p.GetValue(epochs) ?? gap.Epochs, TrainSize = p.GetValue(trainSize) ?? gap.TrainSize },
                ToySeed = p.GetValue(toySeed) ?? d.ToySeed,
                Seeds = p.GetValue(seeds) is { Length: > 0 } given ? given : d.Seeds,
                DataDir = p.GetValue(DataOptions.DataDir),
            };
            s.Validate();
            var run = ExperimentCommand.Output(p, "langevin", preset, s, s.SeedsOrDefault[0]);
            var report = LangevinSampling.Run(s, run, device, Console.WriteLine);
            ExperimentCommand.Finish(run);
            Console.WriteLine($"{report.Seconds:F0} s; {run.Path}");
            return ExitCodes.Success;
        });
        return command;
    }
}
