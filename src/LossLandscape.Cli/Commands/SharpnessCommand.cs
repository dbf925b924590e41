using System.CommandLine;
using LossLandscape.Experiments.Probes;
using LossLandscape.Sharpness;
using LossLandscape.Training;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape sharpness`: flatness of a trained model's minimum by several measures.</summary>
public static class SharpnessCommand
{
    static readonly Argument<string> Source = ProbeOptions.Source();
    static readonly Option<SharpnessMeasure[]> Measures = new("--measures") { Description = "epsilon, adaptive, pac-bayes (pacbayes), pacbayesmagnitude, width (default: all)", AllowMultipleArgumentsPerToken = true };
    static readonly Option<double> Epsilon = new("--epsilon") { Description = "box of epsilon-sharpness (Keskar: 1e-3, 5e-4)", DefaultValueFactory = _ => 1e-3 };
    static readonly Option<double> Rho = new("--rho") { Description = "radius of adaptive sharpness", DefaultValueFactory = _ => 0.5 };
    static readonly Option<double> Delta = new("--delta") { Description = "loss rise that ends a basin (width)", DefaultValueFactory = _ => 0.1 };
    static readonly Option<int> Directions = new("--directions") { Description = "random directions (width)", DefaultValueFactory = _ => 10 };

    public static Command Create() => ProbeOptions.Command("sharpness",
        "Flatness of a minimum: epsilon-sharpness, adaptive sharpness, PAC-Bayes sigma*, directional width.",
        Run, data: true, Source, Measures, Epsilon, Rho, Delta, Directions);

    static int Run(ParseResult p)
    {
        var device = GlobalOptions.Apply(p);
        using var source = ProbeOptions.Load(p, Source, device);
        int seed = p.GetValue(ProbeOptions.Seed);
        var settings = new SharpnessSettings(p.GetValue(Measures), ProbeOptions.Data(p, DataPart.Train, 2048),
            new EpsilonSharpnessSettings(p.GetValue(Epsilon), Seed: seed), new AdaptiveSharpnessSettings(p.GetValue(Rho)),
            new PacBayesSettings(Seed: seed), new DirectionalWidthSettings(p.GetValue(Delta), p.GetValue(Directions), Seed: seed));
        var output = ProbeOptions.Output(p, source, "sharpness", "sharpness", settings);
        var report = SharpnessProbe.Run(source, settings, output, device, Console.WriteLine);
        ProbeOptions.Complete(output);
        Console.WriteLine($"{report.Samples} samples; {report.Seconds:F1} s; wrote {output.File("sharpness.csv")}");
        return ExitCodes.Success;
    }
}
