using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Geometry;

/// <summary>
/// The general evaluator: for each point, write the weights into the model, re-estimate BatchNorm statistics
/// if asked, and evaluate the whole dataset in large batches. Works for every registered model. The model's
/// own weights and BatchNorm buffers are restored on dispose.
/// </summary>
public sealed class PointwiseEvaluator : ISurfaceEvaluator
{
    readonly LandscapeModel model;
    readonly SurfaceFrame frame;
    readonly BatchNormMode batchNorm;
    readonly Dataset? statisticsData;
    readonly int batchSize;
    readonly Dictionary<string, Tensor> saved;

    /// <param name="statisticsData">Training data for BatchNorm re-estimation (required with <see cref="BatchNormMode.Recompute"/> on a BN model).</param>
    public PointwiseEvaluator(LandscapeModel model, SurfaceFrame frame, BatchNormMode batchNorm = BatchNormMode.Eval,
        Dataset? statisticsData = null, int batchSize = 2000)
    {
        this.model = model;
        this.frame = frame;
        this.batchNorm = model.HasBatchNorm ? batchNorm : BatchNormMode.Eval;
        this.statisticsData = statisticsData;
        this.batchSize = batchSize;
        if (this.batchNorm == BatchNormMode.Recompute && statisticsData is null)
            throw new ArgumentException("re-estimating BatchNorm statistics needs training data");
        saved = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }

    public string Name => "pointwise";
    public int PreferredChunk => 1;

    public IReadOnlyList<LossAccuracy> Evaluate(IReadOnlyList<(double Alpha, double Beta)> points)
    {
        var results = new List<LossAccuracy>(points.Count);
        foreach (var (a, b) in points)
        {
            MoveTo(a, b);
            results.Add(Evaluation.Evaluate(model, frame.Data, batchSize));
        }
        return results;
    }

    /// <summary>
    /// Puts the model at center + a d1 + b d2 (and re-estimates BatchNorm statistics when asked), so that a
    /// caller can measure several datasets at one point for the price of one re-estimation.
    /// </summary>
    /// <param name="reestimate">False when the caller sets the BatchNorm statistics itself (e.g. at an endpoint, whose own statistics are known).</param>
    public void MoveTo(double a, double b, bool reestimate = true)
    {
        using (var scope = NewDisposeScope())
        {
            var w = frame.Center.add(frame.First, alpha: a);
            if (frame.Second is not null) w.add_(frame.Second, alpha: b);
            ParameterVector.Set(model, w);
        }
        if (reestimate && batchNorm == BatchNormMode.Recompute) BatchNormStatistics.Reestimate(model, statisticsData!, batchSize);
    }

    public void Dispose()
    {
        using (no_grad())
            foreach (var (name, t) in model.state_dict())
                t.copy_(saved[name]);
        foreach (var t in saved.Values) t.Dispose();
    }
}
