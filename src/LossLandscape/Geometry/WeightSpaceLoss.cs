using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Geometry;

/// <summary>
/// The mean cross-entropy of a model on fixed data, as a function of a flat weight vector: its value, gradient
/// and accuracy at any w. The model is evaluated in eval mode (BatchNorm with its stored statistics, so the
/// function does not change between calls); its own weights are restored on dispose.
/// </summary>
public sealed class WeightSpaceLoss : IDisposable
{
    readonly LandscapeModel model;
    readonly Tensor saved;
    readonly int batchSize;

    public WeightSpaceLoss(LandscapeModel model, Dataset data, int batchSize = 2000)
    {
        this.model = model;
        Data = data;
        this.batchSize = batchSize;
        saved = ParameterVector.Get(model);
    }

    public Dataset Data { get; }
    public long Evaluations { get; private set; }

    public LossAccuracy Evaluate(Tensor w)
    {
        ParameterVector.Set(model, w);
        Evaluations++;
        return Evaluation.Evaluate(model, Data, batchSize);
    }

    public double Value(Tensor w) => Evaluate(w).Loss;

    /// <summary>Loss and its gradient (a flat vector in the model's layout) at <paramref name="w"/>.</summary>
    public (double Loss, Tensor Gradient) ValueAndGradient(Tensor w)
    {
        ParameterVector.Set(model, w);
        Evaluations++;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            model.zero_grad();
            double total = 0;
            for (long start = 0; start < Data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long length = Math.Min(batchSize, Data.Count - start);
                var (x, y) = Data.Slice(start, length);
                var loss = nn.functional.cross_entropy(model.call(x), y, reduction: nn.Reduction.Sum) / Data.Count;
                loss.backward();
                total += loss.ToDouble();
            }
            return (total, ParameterVector.Gradient(model));
        }
        finally
        {
            model.zero_grad();
            model.train(wasTraining);
        }
    }

    public void Dispose()
    {
        ParameterVector.Set(model, saved);
        saved.Dispose();
    }
}
