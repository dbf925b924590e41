using System.Diagnostics;
using System.Globalization;
using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using LossLandscape.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Bench;

/// <summary>
/// A GxG (51x51 by default) filter-normalised surface of the reference MLP on 10k test images, three ways, side by
/// side in one process:
/// (a) the anchor's method (loss-landscape): one grid point at a time, batches of 128, a host sync per batch;
/// (b) one point at a time, the whole set in one batch;
/// (c) ours: <see cref="MlpSurfaceEvaluator"/> (the first layer's exact algebra plus batched matrix products).
/// (a) and (b) are timed on a sample of the grid's points (they take minutes for the whole grid); (c) on the
/// whole grid. Every point of (c) that (a) measured must agree to 1e-4 relative. On Fashion-MNIST the model is
/// first trained for one epoch; with --synthetic it keeps its initial weights (the cost of a point does not
/// depend on them).
/// </summary>
public static class SurfaceBench
{
    public static void Run(BenchOptions options)
    {
        int repeats = options.Repeats;
        var methods = options.MethodsOrDefault;
        var unknown = methods.Except(new[] { "anchor", "whole", "ours" }).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown method(s) {string.Join(", ", unknown)}; known: anchor, whole, ours");
        double ceiling = BenchEnvironment.MatmulGflops(2048, 2048, 2048, repeats);
        using var data = BenchEnvironment.Synthetic ? BenchEnvironment.Data(1, 10000) : BenchEnvironment.Data(null, null);
        using var model = ModelRegistry.Create(ModelSpec.ReferenceMlp, 0);
        model.to(BenchEnvironment.Device);
        if (!BenchEnvironment.Synthetic)
        {
            using var trainer = new Trainer(model, data, new TrainSettings(Epochs: 1, Seed: 0));
            trainer.Train();
        }
        var layout = ParameterLayout.Of(model);
        using var center = ParameterVector.Get(model);
        var directions = Directions.RandomNormalized(center, layout, new DirectionSettings(), seed: 1, count: 2);
        var frame = new SurfaceFrame(center, directions[0], directions[1], data.Test);
        var axis = GridAxis.Parse($"-1:1:{options.Grid}");
        var grid = LossSurface.Points(axis, axis);
        // Spread over the grid: 997 is prime, so the sample has no repeats while it is smaller than the grid.
        var sample = Enumerable.Range(0, Math.Min(options.Points, grid.Count)).Select(i => grid[(int)((long)i * 997 % grid.Count)]).ToList();
        long n = data.Test.Count;
        double naiveFlops = 2.0 * n * layout.Slots.Where(s => s.IsFilterBank).Sum(s => s.Count);

        Console.WriteLine($"| fp32 matmul 2048^3 (ceiling) | {ceiling:F1} GFLOP/s |");
        Console.WriteLine($"| naive FLOPs per grid point | {naiveFlops / 1e9:F2} GFLOP |");
        Console.WriteLine();
        Console.WriteLine($"| method | ms / point | {options.Grid}x{options.Grid} grid | vs (a) | effective GFLOP/s | / matmul rate |");
        Console.WriteLine("|---|---|---|---|---|---|");
        double? anchor = null;
        void Row(string name, string workload, double perPoint)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {perPoint * 1e3:F2} | {perPoint * grid.Count:F1} s | {(anchor is { } a ? $"{a / perPoint:F2}x" : "-")} | {naiveFlops / perPoint / 1e9:F1} | {naiveFlops / perPoint / 1e9 / ceiling:P0} |"));
            BenchEnvironment.Result(workload, perPoint * 1e3, "point");
        }

        List<LossAccuracy> anchorValues = new();
        if (methods.Contains("anchor"))
        {
            anchor = BenchEnvironment.Median(repeats, () => anchorValues = Anchor(model, frame, sample, 128, syncPerBatch: true)) / sample.Count;
            Row("(a) one point at a time, batches of 128, sync per batch", "surface-anchor", anchor.Value);
        }
        if (methods.Contains("whole"))
            Row("(b) one point at a time, whole set in one batch", "surface-whole",
                BenchEnvironment.Median(repeats, () => Anchor(model, frame, sample, (int)n, syncPerBatch: false)) / sample.Count);
        if (methods.Contains("ours"))
        {
            IReadOnlyList<LossAccuracy> ours = Array.Empty<LossAccuracy>();
            using var fast = new MlpSurfaceEvaluator(model, frame);
            Row("(c) ours: first-layer algebra + batched products", "surface-ours",
                BenchEnvironment.Median(repeats, () => ours = fast.Evaluate(grid), warmUp: () => fast.Evaluate(sample)) / grid.Count);
            if (anchorValues.Count > 0)
            {
                double worst = sample.Select((p, i) => Math.Abs(ours[grid.IndexOf(p)].Loss - anchorValues[i].Loss) / anchorValues[i].Loss).Max();
                Console.WriteLine();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"largest relative difference of (c) from (a) over {sample.Count} points: {worst:E2}"));
            }
        }
        foreach (var d in directions) d.Dispose();
    }

    /// <summary>The anchors' way: write each point's weights into the model, then walk the data.</summary>
    static List<LossAccuracy> Anchor(LandscapeModel model, SurfaceFrame frame, List<(double Alpha, double Beta)> points, int batch, bool syncPerBatch)
    {
        var results = new List<LossAccuracy>();
        var saved = ParameterVector.Get(model);
        model.eval();
        using var _ = no_grad();
        foreach (var (a, b) in points)
        {
            using (var scope = NewDisposeScope())
                ParameterVector.Set(model, frame.Center.add(frame.First, alpha: a).add_(frame.Second!, alpha: b));
            double loss = 0;
            long correct = 0;
            using var lossSum = zeros(1, dtype: ScalarType.Float64, device: frame.Center.device);
            using var correctSum = zeros(1, dtype: ScalarType.Int64, device: frame.Center.device);
            for (long start = 0; start < frame.Data.Count; start += batch)
            {
                using var scope = NewDisposeScope();
                var (x, y) = frame.Data.Slice(start, Math.Min(batch, frame.Data.Count - start));
                var logits = model.call(x);
                var l = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum);
                var c = logits.argmax(1).eq(y).sum();
                if (syncPerBatch)
                {
                    loss += l.ToDouble();
                    correct += c.ToInt64();
                }
                else
                {
                    lossSum.add_(l);
                    correctSum.add_(c);
                }
            }
            if (!syncPerBatch)
            {
                loss = lossSum.ToDouble();
                correct = correctSum.ToInt64();
            }
            results.Add(new LossAccuracy(loss / frame.Data.Count, (double)correct / frame.Data.Count));
        }
        ParameterVector.Set(model, saved);
        return results;
    }
}
