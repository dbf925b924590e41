using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Geometry;

public class DirectionTests
{
    [Fact]
    public void FilterNormalisationGivesEachRowTheNormOfTheWeightsRow()
    {
        using var model = ModelRegistry.Create(new ModelSpec("mlp", 16, 2), seed: 1);
        var layout = ParameterLayout.Of(model);
        using var w = ParameterVector.Get(model);
        var d = Directions.RandomNormalized(w, layout, new DirectionSettings(), seed: 3, count: 1)[0];
        var rules = Directions.Rules(layout, new DirectionSettings());
        var dv = layout.Split(d);
        var wv = layout.Split(w);
        for (int i = 0; i < rules.Count; i++)
        {
            if (rules[i] == SlotRule.Zeroed) Assert.Equal(0.0, dv[i].abs().max().item<float>());
            else
            {
                Assert.Equal(SlotRule.Filterwise, rules[i]);
                var ratio = dv[i].norm(1).div(wv[i].norm(1));
                Assert.True(ratio.sub(1).abs().max().item<float>() < 1e-4);
            }
        }
        Assert.Equal(new[] { SlotRule.Filterwise, SlotRule.Zeroed, SlotRule.Filterwise, SlotRule.Zeroed, SlotRule.Filterwise, SlotRule.Zeroed }, rules);
        var included = Directions.Rules(layout, new DirectionSettings(IncludeBiasAndBatchNorm: true));
        Assert.Equal(SlotRule.CopyOfWeights, included[1]);
    }

    [Fact]
    public void OrthogonalisedDirectionsAreOrthogonal()
    {
        using var model = ModelRegistry.Create(new ModelSpec("mlp", 16, 1), seed: 1);
        using var w = ParameterVector.Get(model);
        var ds = Directions.RandomNormalized(w, ParameterLayout.Of(model), new DirectionSettings(Orthogonalize: true), 5, 2);
        Assert.True(Math.Abs(ds[0].dot(ds[1]).item<float>()) < 1e-3 * ds[0].norm().item<float>() * ds[1].norm().item<float>());
    }

    /// <summary>
    /// BatchNorm makes a layer's output invariant to scaling each neuron's incoming weights by its own c_j > 0.
    /// A filter-normalised direction scales with those weights, so the whole slice is unchanged; a raw
    /// direction does not, so its slice changes (the control).
    /// </summary>
    [Fact]
    public void FilterNormalisedSliceIsInvariantToPerNeuronRescaling()
    {
        using var data = SyntheticSets.GaussianMixture(new GaussianMixtureSettings(4, 20, 3.0, 400, 10, Seed: 2));
        using var mlp = ModelRegistry.Create(new ModelSpec("mlp", 12, 1, BatchNorm: true, InputChannels: 20, ImageSize: 1, Classes: 4), 4);
        var layout = ParameterLayout.Of(mlp);
        using var w = ParameterVector.Get(mlp);
        using var rescaled = w.clone();
        var c = linspace(0.3, 3.0, 12);
        layout.Split(rescaled)[0].mul_(c.unsqueeze(1)); // features.linear0.weight rows
        layout.Split(rescaled)[1].mul_(c);             // its bias

        double[] Slice(Tensor weights, DirectionNormalization normalization)
        {
            var d = Directions.RandomNormalized(weights, layout, new DirectionSettings(normalization), seed: 9, count: 1)[0];
            using var evaluator = new PointwiseEvaluator(mlp, new SurfaceFrame(weights, d, null, data.Train), BatchNormMode.Recompute, data.Train, 400);
            return evaluator.Evaluate(new GridAxis(-1, 1, 9).Values.Select(a => (a, 0.0)).ToList()).Select(r => r.Loss).ToArray();
        }

        var filter = Slice(w, DirectionNormalization.Filter);
        var filterRescaled = Slice(rescaled, DirectionNormalization.Filter);
        var raw = Slice(w, DirectionNormalization.None);
        var rawRescaled = Slice(rescaled, DirectionNormalization.None);
        double MaxRelative(double[] x, double[] y) => x.Zip(y, (p, q) => Math.Abs(p - q) / Math.Abs(p)).Max();
        Assert.True(MaxRelative(filter, filterRescaled) <= 1e-4, $"filter-normalised slice changed by {MaxRelative(filter, filterRescaled):E2}");
        Assert.True(MaxRelative(raw, rawRescaled) > 1e-2, $"raw slice changed by only {MaxRelative(raw, rawRescaled):E2}");
    }
}
