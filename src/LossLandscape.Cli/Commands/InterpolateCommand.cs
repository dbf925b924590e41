using System.CommandLine;
using LossLandscape.Cli.Terminal;
using LossLandscape.Experiments.Probes;
using LossLandscape.Training;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape interpolate A B`: loss and error along the segment between two trained models, with its barrier.</summary>
public static class InterpolateCommand
{
    static readonly Argument<string> From = ProbeOptions.Source("a");
    static readonly Argument<string> To = ProbeOptions.Source("b");
    static readonly Option<string> Grid = new("--grid") { Description = "values of t as min:max:count (0 is A, 1 is B)", DefaultValueFactory = _ => "0:1:21" };
    static readonly Option<int?> TrainSamples = new("--train-samples") { Description = "measure the training loss on a seeded subset" };
    static readonly Option<int?> TestSamples = new("--test-samples") { Description = "measure the test error on a seeded subset" };

    public static Command Create() => ProbeOptions.Command("interpolate",
        "Loss and error along the straight line between two trained models; reports the barrier.",
        Run, data: false, From, To, Grid, TrainSamples, TestSamples);

    static int Run(ParseResult p)
    {
        var device = GlobalOptions.Apply(p);
        using var a = ProbeOptions.Load(p, From, device);
        using var b = ProbeOptions.Load(p, To, device);
        var settings = new InterpolationSettings(p.GetValue(Grid)!, p.GetValue(TrainSamples), p.GetValue(TestSamples), p.GetValue(ProbeOptions.Seed));
        var output = ProbeOptions.Output(p, a, "interpolate", $"interpolate-{ProbeOptions.NameOf(p, To)}", settings);
        var report = new CountProgress(p.GetValue(GlobalOptions.Progress)).Run("interpolate", progress => InterpolationProbe.Run(a, b, settings, output, device, progress));
        ProbeOptions.Complete(output);
        Console.WriteLine($"distance |B - A| = {report.Distance:G5}; train-loss barrier {report.TrainLossBarrier.Height:G4} at t={report.TrainLossBarrier.AtT:G3}; " +
                          $"test-error barrier {report.TestErrorBarrier.Height:P2} at t={report.TestErrorBarrier.AtT:G3}; {report.Seconds:F1} s");
        Console.WriteLine($"wrote {output.File("path.csv")}, {output.File("path.png")}");
        return ExitCodes.Success;
    }
}
