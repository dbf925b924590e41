using LossLandscape.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Training;

/// <summary>Mean cross-entropy and accuracy of a model on a dataset.</summary>
public readonly record struct LossAccuracy(double Loss, double Accuracy);

public static class Evaluation
{
    /// <summary>
    /// Evaluates in eval mode (BatchNorm uses its running statistics) without gradients, in batches of
    /// <paramref name="batchSize"/>; sums stay on the device and are read once at the end.
    /// The model's train/eval mode is restored afterwards.
    /// </summary>
    public static LossAccuracy Evaluate(nn.Module<Tensor, Tensor> model, Dataset data, int batchSize = 1000)
    {
        if (data.Count == 0) return new LossAccuracy(double.NaN, double.NaN);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var lossSum = zeros(1, dtype: ScalarType.Float64, device: data.Inputs.device);
            var correct = zeros(1, dtype: ScalarType.Int64, device: data.Inputs.device);
            for (long start = 0; start < data.Count; start += batchSize)
            {
                using var batchScope = NewDisposeScope();
                var (x, y) = data.Slice(start, Math.Min(batchSize, data.Count - start));
                var logits = model.call(x);
                lossSum.add_(nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to(ScalarType.Float64));
                correct.add_(logits.argmax(1).eq(y).sum());
            }
            return new LossAccuracy(lossSum.item<double>() / data.Count, (double)correct.item<long>() / data.Count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>The model's logits on every sample, in order, as float32 on the CPU ([samples, classes]); eval mode, no gradients.</summary>
    public static Tensor Logits(nn.Module<Tensor, Tensor> model, Dataset data, int batchSize = 1000)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var parts = new List<Tensor>();
            for (long start = 0; start < data.Count; start += batchSize)
            {
                var (x, _) = data.Slice(start, Math.Min(batchSize, data.Count - start));
                parts.Add(model.call(x).to(ScalarType.Float32).cpu());
            }
            var all = cat(parts, 0);
            foreach (var part in parts) part.Dispose();
            return all;
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
