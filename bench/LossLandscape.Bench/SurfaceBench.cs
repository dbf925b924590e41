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
/// A 51x51 filter-normalised surface of the reference MLP on the 10k Fashion-MNIST test images, three ways,
/// side by side in one process:
/// (a) the anchor's method (loss-landscape): one grid point at a time, batches of 128, a host sync per batch;
/// (b) one point at a time, the whole set in one batch;
/// (c) ours: <see cref="MlpSurfaceEvaluator"/> (the first layer's exact algebra plus batched matrix products).
/// (a) and (b) are timed on a sample of the grid's points (they take minutes for the whole grid); (c) on the
/// whole grid. Every point of (c) that (a) measured must agree to 1e-4 relative.
/// </summary>
public static class SurfaceBench
{
    public static void Run(int repeats)
    {
        double ceiling = BenchEnvironment.MatmulGflops(2048, 2048, 2048, repeats);
        using var data = new DataSettings(AllowDownload: false).Load(0, CPU);
        using var model = ModelRegistry.Create(ModelSpec.ReferenceMlp, 0);
        using (var trainer = new Trainer(model, data, new TrainSettings(Epochs: 1, Seed: 0)))
            trainer.Train();
        var layout = ParameterLayout.Of(model);
        using var center = ParameterVector.Get(model);
        var directions = Directions.RandomNormalized(center, layout, new DirectionSettings(), seed: 1, count: 2);
        var frame = new SurfaceFrame(center, directions[0], directions[1], data.Test);
        var axis = GridAxis.Parse("-1:1:51");
        var grid = LossSurface.Points(axis, axis);
        var sample = Enumerable.Range(0, 24).Select(i => grid[(i * 997) % grid.Count]).ToList();
        long n = data.Test.Count;
        double naiveFlops = 2.0 * n * layout.Slots.Where(s => s.IsFilterBank).Sum(s => s.Count);

        List<LossAccuracy> anchorValues = new();
        double anchor = BenchEnvironment.Median(repeats, () => anchorValues = Anchor(model, frame, sample, 128, syncPerBatch: true)) / sample.Count;
        double wholeBatch = BenchEnvironment.Median(repeats, () => Anchor(model, frame, sample, (int)n, syncPerBatch: false)) / sample.Count;
        IReadOnlyList<LossAccuracy> ours = Array.Empty<LossAccuracy>();
        double oursPerPoint;
        using (var fast = new MlpSurfaceEvaluator(model, frame))
        {
            oursPerPoint = BenchEnvironment.Median(repeats, () => ours = fast.Evaluate(grid), warmUp: () => fast.Evaluate(sample)) / grid.Count;
        }
        double worst = sample.Select((p, i) => Math.Abs(ours[grid.IndexOf(p)].Loss - anchorValues[i].Loss) / anchorValues[i].Loss).Max();

        Console.WriteLine($"| fp32 matmul 2048^3 (ceiling) | {ceiling:F1} GFLOP/s |");
        Console.WriteLine($"| naive FLOPs per grid point | {naiveFlops / 1e9:F2} GFLOP |");
        Console.WriteLine();
        Console.WriteLine("| method | ms / point | 51x51 grid | vs (a) | effective GFLOP/s | / matmul rate |");
        Console.WriteLine("|---|---|---|---|---|---|");
        void Row(string name, double perPoint) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {perPoint * 1e3:F2} | {perPoint * grid.Count:F1} s | {anchor / perPoint:F2}x | {naiveFlops / perPoint / 1e9:F1} | {naiveFlops / perPoint / 1e9 / ceiling:P0} |"));
        Row("(a) one point at a time, batches of 128, sync per batch", anchor);
        Row("(b) one point at a time, whole set in one batch", wholeBatch);
        Row("(c) ours: first-layer algebra + batched products", oursPerPoint);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"largest relative difference of (c) from (a) over {sample.Count} points: {worst:E2}"));
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
            using var lossSum = zeros(1, dtype: ScalarType.Float64);
            using var correctSum = zeros(1, dtype: ScalarType.Int64);
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
