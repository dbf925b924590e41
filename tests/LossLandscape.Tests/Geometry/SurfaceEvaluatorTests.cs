using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Geometry;

public class SurfaceEvaluatorTests
{
    [Fact]
    public void BatchedMlpSurfaceEqualsPointByPoint()
    {
        using var data = SyntheticSets.GaussianMixture(new GaussianMixtureSettings(5, 30, 2.0, 600, 300, Seed: 1));
        using var model = ModelRegistry.Create(new ModelSpec("mlp", 24, 2, InputChannels: 30, ImageSize: 1, Classes: 5), 3);
        var layout = ParameterLayout.Of(model);
        using var w = ParameterVector.Get(model);
        var ds = Directions.RandomNormalized(w, layout, new DirectionSettings(IncludeBiasAndBatchNorm: true), 11, 2);
        var frame = new SurfaceFrame(w, ds[0], ds[1], data.Test);
        var points = (from a in new GridAxis(-1, 1, 7).Values from b in new GridAxis(-0.5, 1.5, 5).Values select (a, b)).ToList();
        using var slow = new PointwiseEvaluator(model, frame);
        using var fast = new MlpSurfaceEvaluator(model, frame, memoryBudgetBytes: 2_000_000); // forces several chunks
        Assert.True(fast.PreferredChunk < points.Count);
        var expected = slow.Evaluate(points);
        var actual = fast.Evaluate(points);
        for (int i = 0; i < points.Count; i++)
        {
            Assert.True(Math.Abs(actual[i].Loss - expected[i].Loss) <= 1e-4 * Math.Abs(expected[i].Loss), $"point {points[i]}: {actual[i].Loss} vs {expected[i].Loss}");
            Assert.Equal(expected[i].Accuracy, actual[i].Accuracy, 3);
        }
    }

    [Fact]
    public void PointwiseEvaluatorRestoresTheModel()
    {
        using var data = SyntheticSets.GaussianMixture(new GaussianMixtureSettings(3, 10, 2.0, 100, 50, Seed: 1));
        using var model = ModelRegistry.Create(new ModelSpec("mlp", 8, 1, BatchNorm: true, InputChannels: 10, ImageSize: 1, Classes: 3), 3);
        using var before = ParameterVector.Get(model);
        using var meanBefore = model.state_dict()["features.bn0.running_mean"].clone();
        using var w = ParameterVector.Get(model);
        using var d = randn_like(w);
        using (var e = new PointwiseEvaluator(model, new SurfaceFrame(w, d, null, data.Test), BatchNormMode.Recompute, data.Train))
            e.Evaluate(new[] { (0.5, 0.0) });
        using var after = ParameterVector.Get(model);
        Assert.True(before.eq(after).all().item<bool>());
        Assert.True(meanBefore.eq(model.state_dict()["features.bn0.running_mean"]).all().item<bool>());
    }

    [Fact]
    public void ReestimatedBatchNormStatisticsAreTheDataMeanAndVariance()
    {
        using var data = SyntheticSets.GaussianMixture(new GaussianMixtureSettings(3, 10, 2.0, 500, 50, Seed: 4));
        using var model = ModelRegistry.Create(new ModelSpec("mlp", 8, 1, BatchNorm: true, InputChannels: 10, ImageSize: 1, Classes: 3), 3);
        BatchNormStatistics.Reestimate(model, data.Train, batchSize: 100); // equal batches: the cumulative average of batch means is the mean
        var state = model.state_dict();
        using var z = data.Train.Inputs.flatten(1).matmul(state["features.linear0.weight"].t()).add(state["features.linear0.bias"]);
        var mean = state["features.bn0.running_mean"];
        Assert.True(mean.allclose(z.mean(new long[] { 0 }), rtol: 1e-4, atol: 1e-4), $"{mean.sub(z.mean(new long[] { 0 })).abs().max().ToDouble()}");
        // PyTorch keeps the unbiased batch variance in running_var; batches of 100 average to about the same.
        var variance = state["features.bn0.running_var"];
        Assert.True(variance.allclose(z.var(0), rtol: 0.05, atol: 1e-3), $"{variance.div(z.var(0)).sub(1).abs().max().ToDouble()}");
    }

    [Fact]
    public void PcaRecoversThePlaneOfATrajectory()
    {
        random.manual_seed(0);
        using var u = randn(500);
        using var v = randn(500);
        var final = randn(500);
        var trajectory = Enumerable.Range(0, 12).Select(i => final + u * (10.0 - i) + v * Math.Sin(i) * 3 + randn(500) * 0.01).ToList();
        using var pca = TrajectoryPca.Compute(trajectory, final);
        Assert.True(pca.ExplainedVariance.Sum() > 0.99);
        // The recovered plane contains u and v: their projections keep almost all of their norm.
        foreach (var x in new[] { u, v })
        {
            double inPlane = Math.Sqrt(Math.Pow(x.dot(pca.First).item<float>(), 2) + Math.Pow(x.dot(pca.Second).item<float>(), 2));
            Assert.True(inPlane / x.norm().item<float>() > 0.99);
        }
        Assert.Equal(12, pca.Coordinates.Length);
    }

    [Fact]
    public void PlanePutsItsPointsWhereTheyBelong()
    {
        random.manual_seed(1);
        using var w0 = randn(50);
        using var w1 = randn(50);
        using var w2 = randn(50);
        using var plane = new Plane(w0, w1, w2);
        Assert.Equal((0.0, 0.0), plane.Coordinates(w0));
        var (x2, y2) = plane.Coordinates(w2);
        Assert.Equal(plane.ULength, x2, 4);
        Assert.Equal(0.0, y2, 4);
        var (x1, y1) = plane.Coordinates(w1);
        using var back = plane.At(x1, y1);
        Assert.True(back.allclose(w1, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void GridAxisParsesAndRejects()
    {
        var g = GridAxis.Parse("-1:1:51");
        Assert.Equal(51, g.Count);
        Assert.Equal(0.0, g[25], 12);
        Assert.Throws<LandscapeException>(() => GridAxis.Parse("1:-1:5"));
        Assert.Throws<LandscapeException>(() => GridAxis.Parse("-1:1"));
    }
}
