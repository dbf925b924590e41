using System.Globalization;
using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Bench;

/// <summary>
/// Training throughput (samples/s) of the reference MLP on all 60k Fashion-MNIST images and of CNN-k on a
/// subset, against the fp32 matrix-product rate of this machine measured in the same run.
/// Effective rate = (forward + backward FLOPs per sample, 3x the forward's multiply-adds x 2) x samples/s.
/// </summary>
public static class TrainingThroughput
{
    public static void Run(int repeats)
    {
        double square = BenchEnvironment.MatmulGflops(2048, 2048, 2048, repeats);
        double shaped = BenchEnvironment.MatmulGflops(128, 784, 256, repeats);
        Console.WriteLine($"| fp32 matmul 2048^3 | {square:F1} GFLOP/s |");
        Console.WriteLine($"| fp32 matmul 128x784x256 (the MLP's first layer) | {shaped:F1} GFLOP/s |");
        Console.WriteLine();
        Console.WriteLine("| workload | samples | epoch s (median) | samples/s | effective GFLOP/s | / 2048^3 matmul rate |");
        Console.WriteLine("|---|---|---|---|---|---|");

        using var full = new DataSettings(AllowDownload: false).Load(0, CPU);
        Measure("reference MLP 784-256-256-10, batch 128", ModelSpec.ReferenceMlp, full, repeats, square);
        using var subset = new DataSettings(TrainSize: 10000, TestSize: 1000, AllowDownload: false).Load(0, CPU);
        Measure("CNN-k k=8 (BN), batch 128", new ModelSpec("cnn", 8, BatchNorm: true), subset, repeats, square);
        Measure("CNN-k k=16 (BN), batch 128", new ModelSpec("cnn", 16, BatchNorm: true), subset, repeats, square);
    }

    static void Measure(string name, ModelSpec spec, DataSplit data, int repeats, double ceiling)
    {
        using var model = ModelRegistry.Create(spec, 0);
        double flopsPerSample = 3 * 2 * ForwardMultiplyAdds(model, data.Train.Inputs.narrow(0, 0, 1));
        var settings = new TrainSettings(Epochs: 1, BatchSize: 128, Seed: 0, EvalBatchSize: 10000);
        double seconds = BenchEnvironment.Median(repeats, () =>
        {
            using var trainer = new Trainer(model, new DataSplit(data.Train, data.Test.Select(arange(1))), settings);
            trainer.Train();
        });
        double perSecond = data.Train.Count / seconds;
        double gflops = flopsPerSample * perSecond / 1e9;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {data.Train.Count} | {seconds:F2} | {perSecond:N0} | {gflops:F1} | {gflops / ceiling:P0} |"));
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
        using (no_grad()) model.call(sample).Dispose();
        foreach (var remove in hooks) remove();
        return total;
    }
}
