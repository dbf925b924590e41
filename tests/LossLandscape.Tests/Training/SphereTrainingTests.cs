using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Training;

public class SphereTrainingTests
{
    static DataSplit Data(ScalarType dtype)
    {
        using var raw = SyntheticSets.GaussianMixture(new GaussianMixtureSettings(3, 6, 2.0, 96, 30, Seed: 1));
        Dataset Convert(Dataset d) => new(d.Name, d.Inputs.to(dtype), d.Labels.clone(), d.Classes);
        return new DataSplit(Convert(raw.Train), Convert(raw.Test));
    }

    static LandscapeModel Model(ScalarType dtype)
    {
        var model = ModelRegistry.Create(new ModelSpec("mlp-si", 10, 2, InputChannels: 6, ImageSize: 1, Classes: 3), seed: 2);
        model.to(dtype);
        return model;
    }

    /// <summary>Records rho after every step (callbacks see the weights after the projection).</summary>
    sealed class NormAfterEachStep : ITrainingCallback
    {
        public readonly List<double> Norms = new();
        public void OnStep(Trainer trainer, in StepInfo step) => Norms.Add(ScaleInvariantGroup.Of(trainer.Model).Norm());
    }

    [Theory]
    [InlineData(ScalarType.Float64, 1e-13)]
    [InlineData(ScalarType.Float32, 1e-6)]
    public void RescalingAfterEveryStepKeepsRhoAtRho0(ScalarType dtype, double tolerance)
    {
        using var data = Data(dtype);
        using var model = Model(dtype);
        double rho0 = ScaleInvariantGroup.Of(model).Norm();
        const double elr = 0.05;
        var settings = SphereSettings.FixEffectiveLearningRate(new TrainSettings(Epochs: 3, BatchSize: 16, new OptimizerSettings(Momentum: 0), Seed: 4), model, elr);
        Assert.Equal(rho0, settings.Sphere!.Radius);
        Assert.Equal(elr * rho0 * rho0, settings.OptimizerOrDefault.LearningRate, 12);
        var probe = new NormAfterEachStep();
        using var metrics = new ScaleInvariantMetrics();
        using var trainer = new Trainer(model, data, settings, null, new ITrainingCallback[] { probe, metrics });
        var result = trainer.Train();
        Assert.Equal(18, probe.Norms.Count);
        Assert.All(probe.Norms, rho => Assert.True(Math.Abs(rho - rho0) <= tolerance * rho0, $"rho {rho} vs rho0 {rho0}"));
        foreach (var row in result.Rows)
        {
            Assert.True(Math.Abs(row.Extra[ScaleInvariantMetrics.EffectiveLearningRateColumn] - elr) <= 3 * tolerance * elr);
            Assert.True(Math.Abs(row.Extra[ScaleInvariantMetrics.NormColumn] - rho0) <= tolerance * rho0);
            // On the sphere rho is constant, so the effective gradient norm is rho times the mean gradient norm.
            Assert.Equal(row.Extra[ScaleInvariantMetrics.GradientNormColumn] * rho0, row.Extra[ScaleInvariantMetrics.EffectiveGradientNormColumn], 6);
        }
        // The weights did move: the run is not trivially on the sphere because nothing happened.
        Assert.True(result.Rows[^1].TrainLoss < result.Rows[0].TrainLoss);
    }

    [Fact]
    public void ARadiusOtherThanTheInitialNormIsKept()
    {
        using var data = Data(ScalarType.Float64);
        using var model = Model(ScalarType.Float64);
        var settings = new TrainSettings(Epochs: 1, BatchSize: 32, new OptimizerSettings(LearningRate: 0.1, Momentum: 0), Seed: 1, Sphere: new SphereSettings(2.5));
        using var trainer = new Trainer(model, data, settings);
        trainer.Train();
        Assert.Equal(2.5, ScaleInvariantGroup.Of(model).Norm(), 12);
    }

    [Fact]
    public void OneSgdStepWithWeightDecayOnAnOrthogonalGradientFollowsTheNormUpdate()
    {
        // ||w'||^2 = (1 - eta lambda)^2 rho^2 + eta^2 ||g||^2 when <g, w> = 0 (float64, a synthetic gradient).
        const double eta = 0.3, lambda = 0.05;
        using var w = randn(new long[] { 40 }, ScalarType.Float64, generator: new Generator(1)).requires_grad_();
        using var raw = randn(new long[] { 40 }, ScalarType.Float64, generator: new Generator(2));
        using var g = raw - w.detach() * (raw.dot(w.detach()) / w.detach().dot(w.detach()));
        Assert.True(Math.Abs(g.dot(w.detach()).ToDouble()) < 1e-12);
        double rho2 = w.detach().pow(2).sum().ToDouble(), g2 = g.pow(2).sum().ToDouble();
        using (var surrogate = (w * g).sum()) surrogate.backward(); // puts exactly g into w.grad
        using var sgd = new Sgd(new OptimizerSettings(LearningRate: eta, Momentum: 0, WeightDecay: lambda), new[] { ("w", (Tensor)w) });
        sgd.Step(eta);
        double after = w.detach().pow(2).sum().ToDouble();
        double expected = Math.Pow(1 - eta * lambda, 2) * rho2 + eta * eta * g2;
        Assert.True(Math.Abs(after - expected) <= 1e-13 * expected, $"{after} vs {expected}");
    }

    [Fact]
    public void TheGradientOfAScaleInvariantModelIsOrthogonalToItsWeightsAndTheNormUpdateHolds()
    {
        // With eps = 0 the model is exactly scale invariant in each layer, so <g_l, w_l> = 0 (Euler) and one SGD step
        // with weight decay changes ||w||^2 exactly as the formula says, layer by layer and in total.
        const double eta = 0.7, lambda = 1e-2;
        using var data = Data(ScalarType.Float64);
        using var model = Model(ScalarType.Float64);
        foreach (var bn in model.modules().OfType<BatchNorm>()) bn.eps = 0;
        model.train();
        using var loss = nn.functional.cross_entropy(model.call(data.Train.Inputs), data.Train.Labels);
        loss.backward();
        var group = ScaleInvariantGroup.Of(model);
        double rho2 = Math.Pow(group.Norm(), 2);
        double g2 = 0;
        foreach (var (_, p) in group.Parameters)
        {
            double cosine = (p.grad! * p.detach()).sum().ToDouble() / (p.grad!.norm().ToDouble() * p.detach().norm().ToDouble());
            Assert.True(Math.Abs(cosine) < 1e-12, $"cosine {cosine}");
            g2 += p.grad!.pow(2).sum().ToDouble();
        }
        using var sgd = Optimizer.Create(new OptimizerSettings(LearningRate: eta, Momentum: 0, WeightDecay: lambda),
            group.Parameters.Select(p => (p.Name, p.Parameter)).ToList());
        sgd.Step(eta);
        double after = Math.Pow(group.Norm(), 2);
        double expected = Math.Pow(1 - eta * lambda, 2) * rho2 + eta * eta * g2;
        Assert.True(Math.Abs(after - expected) <= 1e-12 * expected, $"{after} vs {expected}");
        Assert.True(eta * eta * g2 > 1e-6 * expected, "the gradient term must matter for the check to mean anything");
    }

    [Fact]
    public void SphereTrainingRejectsWhatWouldBreakIt()
    {
        using var model = Model(ScalarType.Float32);
        var basis = new TrainSettings(Optimizer: new OptimizerSettings(Momentum: 0));
        Assert.Throws<LandscapeException>(() => SphereSettings.FixEffectiveLearningRate(basis with { Optimizer = new OptimizerSettings(WeightDecay: 1e-3) }, model, 0.01));
        Assert.Throws<LandscapeException>(() => SphereSettings.FixEffectiveLearningRate(basis with { Optimizer = new OptimizerSettings(OptimizerKind.Adam) }, model, 0.01));
        Assert.Throws<LandscapeException>(() => SphereSettings.FixEffectiveLearningRate(basis, model, 0));
        using var plain = ModelRegistry.Create(new ModelSpec("mlp", 8, 1, BatchNorm: true), 0);
        Assert.Throws<LandscapeException>(() => SphereSettings.FixEffectiveLearningRate(basis, plain, 0.01));
        Assert.Throws<LandscapeException>(() => new TrainSettings(Sphere: new SphereSettings(-1)).Validate());
    }

    [Fact]
    public void MetricsFollowTheirDefinitionsUnderWeightDecay()
    {
        // Without the sphere, rho changes; effective_lr is the mean of lr / rho^2 at each step's start.
        using var data = Data(ScalarType.Float64);
        using var model = Model(ScalarType.Float64);
        const double lr = 0.5;
        var probe = new NormAfterEachStep();
        double rho0 = ScaleInvariantGroup.Of(model).Norm();
        using var metrics = new ScaleInvariantMetrics();
        using var head = model.state_dict()["head.weight"].clone();
        using var trainer = new Trainer(model, data, new TrainSettings(Epochs: 2, BatchSize: 32, new OptimizerSettings(LearningRate: lr, Momentum: 0, WeightDecay: 0.01), Seed: 3),
            null, new ITrainingCallback[] { probe, metrics });
        var rows = trainer.Train().Rows;
        var starts = new[] { rho0 }.Concat(probe.Norms).ToList();
        double expectedElr = starts.Take(3).Average(r => lr / (r * r));
        Assert.Equal(expectedElr, rows[0].Extra[ScaleInvariantMetrics.EffectiveLearningRateColumn], 12);
        Assert.Equal(probe.Norms[5], rows[1].Extra[ScaleInvariantMetrics.NormColumn], 12);
        Assert.Equal(rows[1].WeightNorm, rows[1].Extra[ScaleInvariantMetrics.NormColumn], 10); // all trainable weights are SI
        Assert.True(model.state_dict()["head.weight"].equal(head).all().item<bool>(), "weight decay and steps never touch the frozen last layer");
    }
}
