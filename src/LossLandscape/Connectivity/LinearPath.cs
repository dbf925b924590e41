using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Connectivity;

/// <summary>The BatchNorm statistics of a path's two endpoint models, used at exactly t = 0 and t = 1.</summary>
public sealed record EndpointStatistics(IReadOnlyDictionary<string, Tensor> Start, IReadOnlyDictionary<string, Tensor> End)
{
    public static EndpointStatistics Of(LandscapeModel a, LandscapeModel b) => new(BatchNormStatistics.Snapshot(a), BatchNormStatistics.Snapshot(b));

    public IReadOnlyDictionary<string, Tensor>? At(double t) => t == 0 ? Start : t == 1 ? End : null;
}

/// <summary>Loss and accuracy at one point of a path, on the training and test data.</summary>
public sealed record PathPoint(double T, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy);

/// <summary>
/// The segment w(t) = (1 - t) wA + t wB between two models of one architecture, measured on training and
/// test data; BatchNorm statistics are re-estimated at every t (the statistics of either end are wrong in
/// between), except at t = 0 and t = 1 when the endpoints' own statistics are given: there the path passes
/// through the models themselves and must show their own errors. t may leave [0, 1] to see beyond the endpoints.
/// </summary>
public static class LinearPath
{
    public static IReadOnlyList<PathPoint> Measure(LandscapeModel model, Tensor wA, Tensor wB, DataSplit data, GridAxis t,
        Dataset? statisticsData = null, Action<int, int>? progress = null, EndpointStatistics? endpoints = null)
    {
        using var direction = wB.sub(wA);
        if (MlpSurfaceEvaluator.Supports(model))
        {
            using var onTrain = new MlpSurfaceEvaluator(model, new SurfaceFrame(wA, direction, null, data.Train));
            using var onTest = new MlpSurfaceEvaluator(model, new SurfaceFrame(wA, direction, null, data.Test));
            var train = LossSurface.Compute(onTrain, t, null);
            var test = LossSurface.Compute(onTest, t, null);
            progress?.Invoke(t.Count, t.Count);
            return train.Zip(test, (a, b) => new PathPoint(a.Alpha, a.Loss, a.Accuracy, b.Loss, b.Accuracy)).ToList();
        }
        var mode = model.HasBatchNorm ? BatchNormMode.Recompute : BatchNormMode.Eval;
        using var walker = new PointwiseEvaluator(model, new SurfaceFrame(wA, direction, null, data.Train), mode, statisticsData ?? data.Train);
        var points = new List<PathPoint>();
        foreach (var ti in t.Values)
        {
            var own = endpoints?.At(ti);
            walker.MoveTo(ti, 0, reestimate: own is null); // one re-estimation serves both datasets
            if (own is not null && mode == BatchNormMode.Recompute) BatchNormStatistics.Restore(model, own);
            var train = Training.Evaluation.Evaluate(model, data.Train);
            var test = Training.Evaluation.Evaluate(model, data.Test);
            points.Add(new PathPoint(ti, train.Loss, train.Accuracy, test.Loss, test.Accuracy));
            progress?.Invoke(points.Count, t.Count);
        }
        return points;
    }
}
