using System.Globalization;

namespace LossLandscape.Bench;

/// <summary>
/// The bench's command line. Sizes default to the runs behind docs/BENCHMARKS.md; the comparison with PyTorch
/// (bench/compare-pytorch.sh) passes smaller ones and --synthetic, so that a GPU machine needs no dataset.
/// </summary>
public sealed record BenchOptions(
    IReadOnlyList<string> Suites,
    int Threads = 2,
    int Repeats = 3,
    string Device = "cpu",
    bool Synthetic = false,
    IReadOnlyList<string>? Models = null,
    int? Steps = null,
    int Samples = 4096,
    int Products = 5,
    int Points = 24,
    IReadOnlyList<string>? Methods = null,
    int Grid = 51)
{
    public const string Usage =
        "usage: bench [training] [surface] [hvp] [--threads N] [--repeats R] [--device cpu|cuda] [--synthetic]\n" +
        "  training: [--models mlp,cnn8,cnn16] [--steps S]   (default: one epoch of 60k images for the MLP, 10k for CNN-k)\n" +
        "  hvp:      [--samples N] [--products P]            (Hessian-vector products of the reference MLP on N samples)\n" +
        "  surface:  [--points P] [--methods anchor,whole,ours] [--grid G]   (P points for anchor/whole, a GxG grid for ours)";

    public static readonly string[] KnownSuites = { "training", "surface", "hvp" };

    public IReadOnlyList<string> ModelsOrDefault => Models ?? new[] { "mlp", "cnn8", "cnn16" };
    public IReadOnlyList<string> MethodsOrDefault => Methods ?? new[] { "anchor", "whole", "ours" };

    public static BenchOptions Parse(string[] args)
    {
        var suites = new List<string>();
        var o = new BenchOptions(suites);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                suites.Add(KnownSuites.Contains(args[i]) ? args[i] : throw new ArgumentException($"unknown suite '{args[i]}' (known: {string.Join(", ", KnownSuites)})"));
                continue;
            }
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v : throw new ArgumentException($"{args[i - 1]} needs a positive integer, got '{args[i]}'");
            string[] List() => Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            o = args[i] switch
            {
                "--threads" => o with { Threads = Int() },
                "--repeats" => o with { Repeats = Int() },
                "--device" => o with { Device = Value() },
                "--synthetic" => o with { Synthetic = true },
                "--models" => o with { Models = List() },
                "--steps" => o with { Steps = Int() },
                "--samples" => o with { Samples = Int() },
                "--products" => o with { Products = Int() },
                "--points" => o with { Points = Int() },
                "--methods" => o with { Methods = List() },
                "--grid" => o with { Grid = Int() },
                var s => throw new ArgumentException($"unknown option '{s}'"),
            };
        }
        if (suites.Count == 0) suites.Add("training");
        return o;
    }
}
