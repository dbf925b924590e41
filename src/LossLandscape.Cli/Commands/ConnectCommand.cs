using System.CommandLine;
using LossLandscape.Connectivity;
using LossLandscape.Experiments;
using LossLandscape.Training;

namespace LossLandscape.Cli.Commands;

public enum PathKind { Linear, Bezier, PolyChain }

/// <summary>`landscape connect A B`: the segment between two minima and, for bezier/polychain, a trained curve.</summary>
public static class ConnectCommand
{
    static readonly Argument<string> From = ProbeOptions.Source("a");
    static readonly Argument<string> To = ProbeOptions.Source("b");
    static readonly Option<PathKind> Kind = new("--curve") { Description = "linear (the segment only), bezier or polychain (segment and trained curve)", DefaultValueFactory = _ => PathKind.Bezier };
    static readonly Option<int> Bends = new("--bends") { Description = "points of the curve counting both endpoints (Garipov's 3 = one trainable bend)", DefaultValueFactory = _ => 3 };
    static readonly Option<int> Epochs = new("--epochs") { Description = "curve training epochs", DefaultValueFactory = _ => 20 };
    static readonly Option<double> Lr = new("--curve-lr") { Description = "curve training learning rate", DefaultValueFactory = _ => 0.01 };
    static readonly Option<double> WeightDecay = new("--weight-decay") { Description = "weight decay on w(t)", DefaultValueFactory = _ => 1e-4 };
    static readonly Option<string> Grid = new("--grid") { Description = "values of t (min:max:count)", DefaultValueFactory = _ => "0:1:61" };
    static readonly Option<bool> NoPlane = new("--no-plane") { Description = "skip the loss surface on the plane through w1, bend, w2" };
    static readonly Option<int?> TrainSamples = new("--train-samples") { Description = "measure paths' training loss on a seeded subset" };
    static readonly Option<int?> TestSamples = new("--test-samples") { Description = "measure paths' test error on a seeded subset" };

    public static Command Create() => ProbeOptions.Command("connect",
        "Mode connectivity: loss and error along the segment and a trained Bezier / PolyChain curve between two minima.",
        Run, data: false, From, To, Kind, Bends, Epochs, Lr, WeightDecay, Grid, NoPlane, TrainSamples, TestSamples);

    static int Run(ParseResult p)
    {
        var device = GlobalOptions.Apply(p);
        using var a = ProbeOptions.Load(p, From, device);
        using var b = ProbeOptions.Load(p, To, device);
        int seed = p.GetValue(ProbeOptions.Seed);
        var kind = p.GetValue(Kind);
        var settings = new ConnectSettings(
            kind == PathKind.Linear ? null : kind == PathKind.Bezier ? CurveKind.Bezier : CurveKind.PolyChain,
            p.GetValue(Bends), new CurveTrainingSettings(p.GetValue(Epochs), LearningRate: p.GetValue(Lr), WeightDecay: p.GetValue(WeightDecay), Seed: seed),
            p.GetValue(Grid)!, !p.GetValue(NoPlane), TrainSamples: p.GetValue(TrainSamples), TestSamples: p.GetValue(TestSamples), Seed: seed);
        if (settings.Points < 2) throw new LandscapeException($"--bends counts both endpoints and must be at least 2, got {settings.Points}");
        if (settings.TrainingOrDefault.Epochs < 0) throw new LandscapeException("--epochs must be non-negative");
        var name = $"connect-{kind.ToString().ToLowerInvariant()}-{ProbeOptions.NameOf(p, To)}";
        var output = ProbeOptions.Output(p, a, "connect", name, settings);
        var report = ModeConnectivity.Run(a, b, settings, output, device, p.GetValue(GlobalOptions.Progress) == Terminal.ProgressMode.None ? null : Console.WriteLine);
        ProbeOptions.Complete(output);
        Console.WriteLine($"test error of A and B with their own statistics: {report.BaseTestErrors[0]:P2}, {report.BaseTestErrors[1]:P2}; " +
                          $"at t = 0 and 1 on the path: {1 - report.SegmentPoints[0].TestAccuracy:P2}, {1 - report.SegmentPoints[^1].TestAccuracy:P2}");
        Console.WriteLine($"|B - A| = {report.Distance:G5}; segment: worst test error {report.Segment.WorstTestError:P2} (endpoints {report.Segment.EndpointMeanTestError:P2}), " +
                          $"train-loss barrier {report.Segment.TrainLossBarrier:G4}" +
                          (report.Curve is { } c ? $"; {c.Path}: worst test error {c.WorstTestError:P2}, barrier {c.TrainLossBarrier:G4}, trained in {report.CurveTrainingSeconds:F0} s" : "") +
                          $"; {output.Path}");
        return ExitCodes.Success;
    }
}
