using System.CommandLine;
using LossLandscape.Cli.Terminal;
using LossLandscape.Experiments.Probes;
using LossLandscape.Geometry;
using LossLandscape.Training;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape slice`: a 1-D or 2-D loss slice around a trained model.</summary>
public static class SliceCommand
{
    static readonly Argument<string> Source = ProbeOptions.Source();
    static readonly Option<int> Dims = new("--dims") { Description = "1 or 2", DefaultValueFactory = _ => 2 };
    static readonly Option<SliceDirections> DirectionKind = new("--directions") { Description = "random (raw Gaussian), filter (filter-normalised), layer, pca (of the run's trajectory), plane (through this model and --through A B)", DefaultValueFactory = _ => SliceDirections.Filter };
    static readonly Option<string?> Grid = new("--grid") { Description = "min:max:count along the first direction (default -1:1:51; pca/plane: fitted to the points)" };
    static readonly Option<string?> Grid2 = new("--grid2") { Description = "min:max:count along the second direction (default: as --grid)" };
    static readonly Option<BatchNormMode?> Bn = new("--bn") { Description = "eval (stored statistics) or recompute (re-estimated at every point; default for BN models)" };
    static readonly Option<bool> IncludeBias = new("--include-bias") { Description = "perturb biases and BatchNorm parameters too (copies of the weights, as the reference code does)" };
    static readonly Option<EvaluatorChoice> Evaluator = new("--evaluator") { Description = "auto, batched (MLPs without BN) or pointwise", DefaultValueFactory = _ => EvaluatorChoice.Auto };
    static readonly Option<string[]> Through = new("--through") { Description = "plane: two more run folders or checkpoints", AllowMultipleArgumentsPerToken = true };

    public static Command Create() => ProbeOptions.Command("slice",
        "Loss along one or two directions around a trained model (CSV, .npy, PNG, SVG); a killed slice resumes.",
        Run, data: true, Source, Dims, DirectionKind, Grid, Grid2, Bn, IncludeBias, Evaluator, Through);

    static int Run(ParseResult p)
    {
        var device = GlobalOptions.Apply(p);
        using var source = ProbeOptions.Load(p, Source, device);
        var settings = new SliceSettings(p.GetValue(Dims), p.GetValue(DirectionKind), p.GetValue(Grid), p.GetValue(Grid2),
            ProbeOptions.Data(p, DataPart.Test, null), p.GetValue(Bn), p.GetValue(IncludeBias), p.GetValue(ProbeOptions.Seed),
            p.GetValue(Evaluator), p.GetValue(Through) is { Length: > 0 } t ? t : null);
        string name = $"slice-{settings.Directions.ToString().ToLowerInvariant()}-{settings.Dimensions}d";
        var output = ProbeOptions.Output(p, source, "slice", name, settings);
        var result = new CountProgress(p.GetValue(GlobalOptions.Progress)).Run(name,
            progress => SliceProbe.Run(source, settings, output, device, progress));
        ProbeOptions.Complete(output);
        Console.WriteLine($"{result.Points} points ({result.Resumed} resumed) with the {result.Evaluator} evaluator in {result.Elapsed.TotalSeconds:F1} s; " +
                          $"loss at the model {result.CenterLoss:G5}, lowest {result.MinLoss:G5}");
        Console.WriteLine($"wrote {result.CsvPath}, {result.Figure.PngPath}, {result.Figure.SvgPath}");
        return ExitCodes.Success;
    }
}
