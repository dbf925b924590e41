using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using LossLandscape.Sharpness;
using LossLandscape.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Sharpness;

public class SharpnessTests
{
    /// <summary>
    /// A small BatchNorm MLP trained on a Gaussian mixture, and a copy of it whose hidden neurons' incoming weights
    /// (and biases) are scaled by c_j, with the running statistics scaled to match: the same function.
    /// </summary>
    static (LandscapeModel Model, LandscapeModel Rescaled, DataSplit Data) TrainedBatchNormNets()
    {
        var data = SyntheticSets.GaussianMixture(new GaussianMixtureSettings(4, 20, 2.5, 400, 200, Seed: 3));
        var spec = new ModelSpec("mlp", 16, 1, BatchNorm: true, InputChannels: 20, ImageSize: 1, Classes: 4);
        var model = ModelRegistry.Create(spec, 5);
        using (var trainer = new Trainer(model, data, new TrainSettings(Epochs: 15, BatchSize: 50, Optimizer: new OptimizerSettings(LearningRate: 0.05))))
            trainer.Train();
        var rescaled = ModelRegistry.Create(spec, 5);
        using (no_grad())
        {
            var source = model.state_dict();
            var target = rescaled.state_dict();
            foreach (var (name, t) in target) t.copy_(source[name]);
            var c = linspace(0.4, 2.5, 16);
            target["features.linear0.weight"].mul_(c.unsqueeze(1));
            target["features.linear0.bias"].mul_(c);
            target["features.bn0.running_mean"].mul_(c);
            target["features.bn0.running_var"].mul_(c.pow(2));
        }
        return (model, rescaled, data);
    }

    static SharpnessResult Measure(LandscapeModel model, Dataset data, Func<WeightSpaceLoss, Tensor, SharpnessResult> measure)
    {
        using var loss = new WeightSpaceLoss(model, data);
        using var w = ParameterVector.Get(model);
        return measure(loss, w);
    }

    [Fact]
    public void WidthAndMagnitudeAwareFlatnessIgnoreFunctionPreservingRescaling()
    {
        var (model, rescaled, data) = TrainedBatchNormNets();
        var layout = ParameterLayout.Of(model);
        Func<WeightSpaceLoss, Tensor, SharpnessResult> width = (l, w) => DirectionalWidth.Measure(l, w, layout, new DirectionalWidthSettings(Directions: 3));
        Func<WeightSpaceLoss, Tensor, SharpnessResult> pac = (l, w) => PacBayesFlatness.Measure(l, w, new PacBayesSettings(MagnitudeAware: true, Depth: 8, Samples: 4));
        var w1 = Measure(model, data.Train, width);
        var w2 = Measure(rescaled, data.Train, width);
        Assert.InRange(w1.Value, 1e-3, 9.99);
        Assert.True(Math.Abs(w1.Value - w2.Value) <= 1e-3 * w1.Value, $"width {w1.Value} vs {w2.Value}");
        var p1 = Measure(model, data.Train, pac);
        var p2 = Measure(rescaled, data.Train, pac);
        Assert.InRange(p1.Value, 1e-3, 1.99);
        Assert.True(Math.Abs(p1.Value - p2.Value) <= 0.02 * p1.Value, $"sigma* {p1.Value} vs {p2.Value}");
        model.Dispose();
        rescaled.Dispose();
    }

    [Fact]
    public void EpsilonSharpnessGrowsWithTheBoxAndIsNonNegative()
    {
        var (model, rescaled, data) = TrainedBatchNormNets();
        var small = Measure(model, data.Train, (l, w) => EpsilonSharpness.Measure(l, w, new EpsilonSharpnessSettings(1e-3, Steps: 5)));
        var large = Measure(model, data.Train, (l, w) => EpsilonSharpness.Measure(l, w, new EpsilonSharpnessSettings(1e-1, Steps: 5)));
        Assert.True(small.Value >= 0);
        Assert.True(large.Value > small.Value, $"{large.Value} <= {small.Value}");
        var asam = Measure(model, data.Train, (l, w) => AdaptiveSharpness.Measure(l, w, new AdaptiveSharpnessSettings(Steps: 5)));
        Assert.True(asam.Value > 0);
        model.Dispose();
        rescaled.Dispose();
    }

    [Fact]
    public void WeightSpaceLossGradientMatchesFiniteDifferences()
    {
        using var data = SyntheticSets.GaussianMixture(new GaussianMixtureSettings(3, 5, 1.0, 60, 10, Seed: 1));
        using var model = ModelRegistry.Create(new ModelSpec("mlp", 6, 1, InputChannels: 5, ImageSize: 1, Classes: 3), 2);
        model.to(ScalarType.Float64);
        using var data64 = new Dataset("d", data.Train.Inputs.to(ScalarType.Float64), data.Train.Labels.clone(), 3);
        using var loss = new WeightSpaceLoss(model, data64);
        using var w = ParameterVector.Get(model);
        var (_, g) = loss.ValueAndGradient(w);
        using var v = randn_like(w);
        double h = 1e-6;
        double numeric = (loss.Value(w.add(v, alpha: h)) - loss.Value(w.add(v, alpha: -h))) / (2 * h);
        double analytic = g.dot(v).item<double>();
        Assert.Equal(analytic, numeric, 6);
    }
}
