using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Connectivity;

/// <summary>
/// Train loss/accuracy and test loss/accuracy along a curve, BatchNorm statistics re-estimated at every t (61 points by
/// default, as Garipov's evaluation), except at the endpoints when their own statistics are given.
/// </summary>
public static class CurvePath
{
    public static IReadOnlyList<PathPoint> Measure(LandscapeModel model, ConnectingCurve curve, DataSplit data, GridAxis t,
        Dataset statisticsData, Action<int, int>? progress = null, EndpointStatistics? endpoints = null)
    {
        using var saved = ParameterVector.Get(model);
        var savedBuffers = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        var points = new List<PathPoint>();
        try
        {
            foreach (var ti in t.Values)
            {
                using (var w = curve.At(ti)) ParameterVector.Set(model, w);
                if (model.HasBatchNorm)
                {
                    if (endpoints?.At(ti) is { } own) BatchNormStatistics.Restore(model, own);
                    else BatchNormStatistics.Reestimate(model, statisticsData);
                }
                var train = Training.Evaluation.Evaluate(model, data.Train);
                var test = Training.Evaluation.Evaluate(model, data.Test);
                points.Add(new PathPoint(ti, train.Loss, train.Accuracy, test.Loss, test.Accuracy));
                progress?.Invoke(points.Count, t.Count);
            }
        }
        finally
        {
            using (no_grad())
                foreach (var (name, tensor) in model.state_dict()) tensor.copy_(savedBuffers[name]);
            foreach (var tensor in savedBuffers.Values) tensor.Dispose();
        }
        return points;
    }
}
