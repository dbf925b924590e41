using System.CommandLine;
using LossLandscape.Experiments;
using LossLandscape.Training;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape permute`, `landscape match` and `landscape drift`: permutation symmetry and the drift along low-loss sets.</summary>
public static class RebasinCommands
{
    public static Command Permute()
    {
        var source = ProbeOptions.Source();
        var command = new Command("permute", "Write a copy of a trained model with its hidden units randomly permuted (the same function, far away in weight space).") { source };
        ProbeOptions.AddTo(command, data: false);
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
            using var model = ProbeOptions.Load(p, source, device);
            int seed = p.GetValue(ProbeOptions.Seed);
            var output = ProbeOptions.Output(p, model, "permute", $"permuted-s{seed}", new { seed });
            var permutation = Rebasin.Permute(model, seed, output);
            ProbeOptions.Complete(output);
            Console.WriteLine($"permuted {string.Join(", ", permutation.GroupNames)} (seed {seed}); wrote {output.Checkpoint("final")}");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Match()
    {
        var a = ProbeOptions.Source("a");
        var b = ProbeOptions.Source("b");
        var method = new Option<MatchingMethod>("--method") { Description = "weights (Git Re-Basin weight matching) or activations", DefaultValueFactory = _ => MatchingMethod.Weights };
        var grid = new Option<string>("--grid") { Description = "values of t on the segments before and after", DefaultValueFactory = _ => "0:1:21" };
        var trainSamples = new Option<int?>("--train-samples") { Description = "measure the training loss on a seeded subset" };
        var command = new Command("match", "Permute B's hidden units to align it with A, write the aligned B, and compare the segment A-B before and after.")
            { a, b, method, grid, trainSamples };
        ProbeOptions.AddTo(command, data: false);
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
                using var ma = ProbeOptions.Load(p, a, device);
            using var mb = ProbeOptions.Load(p, b, device);
            var settings = new MatchSettings(p.GetValue(method), p.GetValue(grid)!, TrainSamples: p.GetValue(trainSamples), Seed: p.GetValue(ProbeOptions.Seed));
            var output = ProbeOptions.Output(p, ma, "match", $"matched-{settings.Method.ToString().ToLowerInvariant()}-{ProbeOptions.NameOf(p, b)}", settings);
            var r = Rebasin.Match(ma, mb, settings, output, device, Console.WriteLine);
            ProbeOptions.Complete(output);
            Console.WriteLine($"distance {r.DistanceBefore:G5} -> {r.DistanceAfter:G5}; train-loss barrier {r.SegmentBefore.TrainLossBarrier:G4} -> {r.SegmentAfter.TrainLossBarrier:G4} " +
                              $"({r.BarrierReduction:P0} lower); worst test error {r.SegmentBefore.WorstTestError:P2} -> {r.SegmentAfter.WorstTestError:P2}" +
                              (r.Rounds is { } rounds ? $"; {rounds} rounds" : "") + $"; {r.Seconds:F0} s; aligned B in {output.Path}");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Drift()
    {
        var source = ProbeOptions.Source();
        var threshold = new Option<double>("--loss-threshold") { Description = "epoch training loss that counts as ~0", DefaultValueFactory = _ => 0.05 };
        var command = new Command("drift", "How far a run's weights travel after its training loss reaches ~0: distance, angle, and the loss between late checkpoints.") { source, threshold };
        ProbeOptions.AddTo(command, data: false);
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
            using var model = ProbeOptions.Load(p, source, device);
            var settings = new DriftSettings(p.GetValue(threshold), Seed: p.GetValue(ProbeOptions.Seed));
            var output = ProbeOptions.Output(p, model, "drift", "drift", settings);
            var r = Experiments.Drift.Run(model, settings, output, device, Console.WriteLine);
            ProbeOptions.Complete(output);
            var last = r.Points[^1];
            Console.WriteLine($"from step {r.ReferenceStep}: moved {last.Distance:G4} (|w| {r.Points[0].Norm:G5} -> {last.Norm:G5}, angle {last.Angle:F2} deg); " +
                              $"largest segment barrier {r.Points.Max(x => x.SegmentBarrier):G3}; {output.Path}");
            return ExitCodes.Success;
        });
        return command;
    }
}
