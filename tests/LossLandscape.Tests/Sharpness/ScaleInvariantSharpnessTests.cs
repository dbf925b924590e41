using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Sharpness;
using LossLandscape.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Sharpness;

public class ScaleInvariantSharpnessTests
{
    static DataSplit Data()
    {
        using var raw = SyntheticSets.GaussianMixture(new GaussianMixtureSettings(3, 6, 2.0, 96, 30, Seed: 1));
        Dataset Convert(Dataset d) => new(d.Name, d.Inputs.to(ScalarType.Float64), d.Labels.clone(), d.Classes);
        return new DataSplit(Convert(raw.Train), Convert(raw.Test));
    }

    [Fact]
    public void LambdaMaxTimesRhoSquaredIsUnchangedWhenTheStateIsScaled()
    {
        // Scaling the weights and BatchNorm statistics by c divides the Hessian by c^2 (exactly, with eps = 0), so the
        // same Lanczos run sees a scaled matrix: lambda_max falls by c^2 and lambda_max rho^2 stays.
        using var data = Data();
        using var model = ModelRegistry.Create(new ModelSpec("mlp-si", 10, 2, InputChannels: 6, ImageSize: 1, Classes: 3), seed: 2);
        model.to(ScalarType.Float64);
        foreach (var bn in model.modules().OfType<BatchNorm>()) bn.eps = 0;
        using (var trainer = new Trainer(model, data, new TrainSettings(Epochs: 2, BatchSize: 32, new OptimizerSettings(LearningRate: 0.5, Momentum: 0), Seed: 0)))
            trainer.Train();
        var settings = new ScaleInvariantSharpnessSettings(MaxIterations: 30, Tolerance: 1e-8);
        var before = ScaleInvariantSharpness.Measure(model, data.Train, settings);
        const double c = 3;
        ScaleInvariantGroup.Of(model).ScaleBy(c);
        var after = ScaleInvariantSharpness.Measure(model, data.Train, settings);
        Assert.True(before.TopEigenvalue > 0);
        Assert.Equal(before.Norm * c, after.Norm, 10);
        Assert.Equal(1.0, after.TopEigenvalue * c * c / before.TopEigenvalue, 8);
        Assert.Equal(1.0, after.Sharpness / before.Sharpness, 8);
    }

    [Fact]
    public void AsACallbackItAddsItsColumnsOnTheEpochsItMeasures()
    {
        using var data = Data();
        using var model = ModelRegistry.Create(new ModelSpec("mlp-si", 10, 1, InputChannels: 6, ImageSize: 1, Classes: 3), seed: 2);
        model.to(ScalarType.Float64);
        using var probe = new ScaleInvariantSharpness(data.Train, new ScaleInvariantSharpnessSettings(Samples: 64, Every: 2));
        using var trainer = new Trainer(model, data, new TrainSettings(Epochs: 5, BatchSize: 32, new OptimizerSettings(LearningRate: 0.5, Momentum: 0, WeightDecay: 1e-3), Seed: 0),
            null, new[] { probe });
        var rows = trainer.Train().Rows;
        Assert.Equal(new[] { 2, 4, 5 }, rows.Where(r => r.Extra.ContainsKey(ScaleInvariantSharpness.SharpnessColumn)).Select(r => (int)r.Epoch));
        foreach (var row in rows.Where(r => r.Extra.ContainsKey(ScaleInvariantSharpness.SharpnessColumn)))
        {
            double rho = row.Extra[ScaleInvariantMetrics.NormColumn];
            Assert.Equal(row.WeightNorm, rho, 10);
            Assert.Equal(row.Extra[ScaleInvariantSharpness.TopEigenvalueColumn] * rho * rho, row.Extra[ScaleInvariantSharpness.SharpnessColumn], 10);
        }
        Assert.Equal(3, probe.Measured.Count);
    }
}
