using System.Globalization;
using LossLandscape.Curvature;
using LossLandscape.Geometry;
using LossLandscape.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Bench;

/// <summary>
/// Hessian-vector products (double backprop) of the reference MLP's mean cross-entropy on N samples, in batches
/// of 512, through the library's <see cref="HessianOperator"/>: the operation every curvature probe repeats.
/// One product costs about four forward passes (forward, backward with a graph, and the backward of that).
/// </summary>
public static class HessianVectorBench
{
    const int BatchSize = 512;

    public static void Run(BenchOptions options)
    {
        using var data = BenchEnvironment.Data(options.Samples, 1);
        using var model = ModelRegistry.Create(ModelSpec.ReferenceMlp, 0);
        model.to(BenchEnvironment.Device);
        var hessian = new HessianOperator(model, data.Train, BatchSize);
        using var generator = new Generator(1UL, CPU);
        using var cpuVector = randn(new[] { hessian.Dimension }, generator: generator);
        using var v = cpuVector.to(BenchEnvironment.Device);
        int products = options.Products;
        double seconds = BenchEnvironment.Median(options.Repeats, () =>
        {
            for (int i = 0; i < products; i++) hessian.Apply(v).Dispose();
        }, warmUp: () => hessian.Apply(v).Dispose());
        double perProduct = seconds / products;
        double forwardFlops = 2.0 * data.Train.Count * ParameterLayout.Of(model).Slots.Where(s => s.IsFilterBank).Sum(s => s.Count);
        Console.WriteLine();
        Console.WriteLine("| workload | samples | batch | ms / product | samples/s | forward-equivalent GFLOP/s (4 passes) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| Hessian-vector product, reference MLP | {data.Train.Count} | {BatchSize} | {perProduct * 1e3:F2} | {data.Train.Count / perProduct:N0} | {4 * forwardFlops / perProduct / 1e9:F1} |"));
        BenchEnvironment.Result("hvp-mlp", perProduct * 1e3, "product");
    }
}
