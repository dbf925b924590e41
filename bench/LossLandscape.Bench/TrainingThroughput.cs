using System.Globalization;
using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Bench;

/// <summary>
/// Training throughput of the library's <see cref="Trainer"/> (seeded shuffle, slicing, forward, backward, SGD with
/// momentum 0.9, loss / accuracy / gradient-norm bookkeeping on the device, a divergence check every 50 steps),
/// batch 128: the reference MLP on all 60k Fashion-MNIST images and CNN-k on 10k, or --steps S steps on S x 128
/// images; against the fp32 matrix-product rate measured in the same run.
/// Effective rate = (forward + backward FLOPs per sample, 3x the forward's multiply-adds x 2) x samples/s.
/// </summary>
public static class TrainingThroughput
{
    const int BatchSize = 128;

    static readonly Dictionary<string, (string Name, ModelSpec Spec, int EpochSamples)> Workloads = new()
    {
        ["mlp"] = ("reference MLP 784-256-256-10, batch 128", ModelSpec.ReferenceMlp, 60000),
        ["cnn8"] = ("CNN-k k=8 (BN), batch 128", new ModelSpec("cnn", 8, BatchNorm: true), 10000),
        ["cnn16"] = ("CNN-k k=16 (BN), batch 128", new ModelSpec("cnn", 16, BatchNorm: true), 10000),
    };

    public static void Run(BenchOptions options)
    {
        var unknown = options.ModelsOrDefault.Where(m => !Workloads.ContainsKey(m)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown model(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Workloads.Keys)}");
        int repeats = options.Repeats;
        double square = BenchEnvironment.MatmulGflops(2048, 2048, 2048, repeats);
        double shaped = BenchEnvironment.MatmulGflops(128, 784, 256, repeats);
        Console.WriteLine($"| fp32 matmul 2048^3 | {square:F1} GFLOP/s |");
        Console.WriteLine($"| fp32 matmul 128x784x256 (the MLP's first layer) | {shaped:F1} GFLOP/s |");
        Console.WriteLine();
        Console.WriteLine("| workload | samples | epoch s (median) | ms / step | samples/s | effective GFLOP/s | / 2048^3 matmul rate |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var key in options.ModelsOrDefault)
        {
            var (name, spec, epochSamples) = Workloads[key];
            int samples = options.Steps is { } steps ? steps * BatchSize : epochSamples;
            using var data = BenchEnvironment.Data(samples, 1000);
            Measure(key, name, spec, data, repeats, square);
        }
    }

    static void Measure(string key, string name, ModelSpec spec, DataSplit data, int repeats, double ceiling)
    {
        using var model = ModelRegistry.Create(spec, 0);
        model.to(BenchEnvironment.Device);
        double flopsPerSample = 3 * 2 * ForwardMultiplyAdds(model, data.Train.Inputs.narrow(0, 0, 1));
        var settings = new TrainSettings(Epochs: 1, BatchSize: BatchSize, Seed: 0, EvalBatchSize: 10000);
        using var oneTestSample = data.Test.Select(arange(1));
        var split = new DataSplit(data.Train, oneTestSample);
        double seconds = BenchEnvironment.Median(repeats, () =>
        {
            using var trainer = new Trainer(model, split, settings);
            trainer.Train();
        });
        long steps = (data.Train.Count + BatchSize - 1) / BatchSize;
        double perSecond = data.Train.Count / seconds;
        double gflops = flopsPerSample * perSecond / 1e9;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {data.Train.Count} | {seconds:F2} | {seconds / steps * 1e3:F2} | {perSecond:N0} | {gflops:F1} | {gflops / ceiling:P0} |"));
        BenchEnvironment.Result($"train-{key}", seconds / steps * 1e3, "step");
    }

    /// <summary>Multiply-adds of one forward pass: linear and conv layers, counted from their weights and output sizes.</summary>
    static double ForwardMultiplyAdds(LandscapeModel model, Tensor sample)
    {
        double total = 0;
        var hooks = new List<Action>();
        foreach (var (_, module) in model.named_modules())
        {
            if (module is TorchSharp.Modules.Linear linear)
                { var h = linear.register_forward_hook((m, input, output) => { total += linear.weight!.numel(); return output; }); hooks.Add(h.remove); }
            else if (module is TorchSharp.Modules.Conv2d conv)
                { var h = conv.register_forward_hook((m, input, output) => { total += conv.weight!.numel() * output.shape[2] * output.shape[3]; return output; }); hooks.Add(h.remove); }
        }
        bool wasTraining = model.training;
        model.eval(); // a single sample cannot go through BatchNorm in training mode
        using (no_grad()) model.call(sample).Dispose();
        model.train(wasTraining);
        foreach (var remove in hooks) remove();
        return total;
    }
}
