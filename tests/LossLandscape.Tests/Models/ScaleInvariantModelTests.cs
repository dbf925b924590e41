using LossLandscape.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Models;

/// <summary>
/// ConvNetSI and MLP-SI are invariant to scaling their trainable weights. With BatchNorm's eps the invariance is not
/// exact: scaling the group by c equals replacing eps by eps / c^2 (see <see cref="ScaleInvariantGroup"/>). The tests
/// check that identity to float64 round-off, and the plain invariance to a tolerance set by eps.
/// </summary>
public class ScaleInvariantModelTests
{
    public static TheoryData<string, double> Models => new()
    {
        { "mlp-si", 0.5 }, { "mlp-si", 3.0 }, { "convnet-si", 0.5 }, { "convnet-si", 3.0 },
    };

    static ModelSpec Spec(string kind) => kind == "mlp-si"
        ? new ModelSpec("mlp-si", 12, 2, InputChannels: 1, ImageSize: 6, Classes: 4)
        : new ModelSpec("convnet-si", 3, InputChannels: 2, ImageSize: 12, Classes: 4);

    /// <summary>A float64 model with realistic running statistics (a few train-mode batches seen).</summary>
    static LandscapeModel Make(string kind, Tensor x)
    {
        var model = ModelRegistry.Create(Spec(kind), seed: 3);
        model.to(ScalarType.Float64);
        model.train();
        using (no_grad())
            for (int i = 0; i < 3; i++) model.call(x.add(0.1 * i)).Dispose();
        return model;
    }

    static Tensor Input(string kind, int n = 16)
    {
        var spec = Spec(kind);
        return randn(new long[] { n, spec.InputChannels, spec.ImageSize, spec.ImageSize }, dtype: ScalarType.Float64, generator: new Generator(11));
    }

    static void SetEps(LandscapeModel model, double eps)
    {
        foreach (var bn in model.modules().OfType<BatchNorm>()) bn.eps = eps;
    }

    static double MaxAbs(Tensor t) => t.abs().max().ToDouble();

    [Theory]
    [MemberData(nameof(Models))]
    public void ScalingTheGroupEqualsDividingEpsByCSquaredInTrainAndEvalMode(string kind, double c)
    {
        using var x = Input(kind);
        foreach (bool train in new[] { true, false })
        {
            using var reference = Make(kind, x);
            using var scaled = Make(kind, x);
            double eps = reference.modules().OfType<BatchNorm>().First().eps;
            ScaleInvariantGroup.Of(scaled).ScaleBy(c);
            SetEps(reference, eps / (c * c));
            reference.train(train);
            scaled.train(train);
            using var _ = no_grad();
            using var a = reference.call(x);
            using var b = scaled.call(x);
            Assert.True(MaxAbs(a - b) <= 1e-11 * MaxAbs(a), $"{kind}, c={c}, train={train}: {MaxAbs(a - b)}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void OutputsAreUnchangedWithinTheToleranceSetByEps(string kind, double c)
    {
        using var x = Input(kind);
        foreach (bool train in new[] { true, false })
        {
            using var model = Make(kind, x);
            model.train(train);
            using var _ = no_grad();
            using var before = model.call(x);
            ScaleInvariantGroup.Of(model).ScaleBy(c);
            using var after = model.call(x);
            // Each normalised unit changes by about eps |1 - 1/c^2| / (2 var) relative; with eps = 1e-5 and unit variances
            // of order 0.1-1 that is below 2e-4 per layer, a few layers deep.
            double eps = model.modules().OfType<BatchNorm>().First().eps;
            double tolerance = 20 * eps * Math.Abs(1 - 1 / (c * c));
            Assert.True(MaxAbs(after - before) <= tolerance * MaxAbs(before), $"{kind}, c={c}, train={train}: {MaxAbs(after - before)} vs {tolerance * MaxAbs(before)}");
            Assert.True(MaxAbs(after - before) > 0, "eps makes the invariance inexact; a zero difference would mean nothing was scaled");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void GradientsScaleByOneOverC(string kind, double c)
    {
        using var x = Input(kind);
        using var y = tensor(Enumerable.Range(0, 16).Select(i => (long)(i % 4)).ToArray());
        Tensor[] Gradients(LandscapeModel model)
        {
            model.train();
            foreach (var p in model.parameters()) p.grad?.zero_();
            using var loss = nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            return model.parameters().Select(p => p.grad!.clone()).ToArray();
        }
        using var reference = Make(kind, x);
        using var scaled = Make(kind, x);
        double eps = reference.modules().OfType<BatchNorm>().First().eps;
        ScaleInvariantGroup.Of(scaled).ScaleBy(c);
        var plain = Gradients(reference);
        SetEps(reference, eps / (c * c));
        var exact = Gradients(reference);
        var got = Gradients(scaled);
        for (int i = 0; i < got.Length; i++)
        {
            // Exactly 1/c times the gradient of the model with eps / c^2 ...
            Assert.True(MaxAbs(got[i] * c - exact[i]) <= 1e-10 * MaxAbs(exact[i]), $"{kind} parameter {i}: {MaxAbs(got[i] * c - exact[i])}");
            // ... and 1/c times the plain gradient up to eps.
            Assert.True(MaxAbs(got[i] * c - plain[i]) <= 20 * eps * Math.Abs(1 - 1 / (c * c)) * MaxAbs(plain[i]) + 1e-12, $"{kind} parameter {i}");
        }
    }

    [Theory]
    [InlineData("mlp-si")]
    [InlineData("convnet-si")]
    public void TheLastLayerIsFrozenAtNormTen(string kind)
    {
        using var model = ModelRegistry.Create(Spec(kind), seed: 0);
        Assert.DoesNotContain(model.named_parameters(), p => p.name.StartsWith("head", StringComparison.Ordinal));
        Assert.Contains("head.weight", model.state_dict().Keys);
        var head = model.state_dict()["head.weight"];
        Assert.Equal(IScaleInvariantModel.HeadNorm, head.norm().ToDouble(), 5);
        Assert.False(head.requires_grad);
        using var x = Input(kind, 8).to(ScalarType.Float32);
        using var loss = model.call(x).pow(2).mean();
        loss.backward();
        Assert.Null(head.grad);
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
        // Every trainable weight is in the scale-invariant group, and nothing else is trained.
        var group = ScaleInvariantGroup.Of(model);
        Assert.True(group.CoversAllParameters);
        Assert.Equal(model.named_parameters().Select(p => p.name), group.Parameters.Select(p => p.Name));
        Assert.All(model.named_parameters(), p => Assert.EndsWith(".weight", p.name));
    }

    [Fact]
    public void ShapesNamesAndNorm()
    {
        using var mlp = ModelRegistry.Create(new ModelSpec("mlp-si", 32, 2), seed: 0);
        Assert.Equal(new[] { "features.linear0.weight", "features.linear1.weight" }, mlp.named_parameters().Select(p => p.name));
        Assert.Equal(784 * 32 + 32 * 32, mlp.ParameterCount);
        using var conv = ModelRegistry.Create(new ModelSpec("convnet-si", 4, InputChannels: 3, ImageSize: 32), seed: 0);
        using var logits = conv.call(randn(5, 3, 32, 32));
        Assert.Equal(new long[] { 5, 10 }, logits.shape);
        Assert.Equal(new long[] { 32, 16, 3, 3 }, conv.state_dict()["features.conv3.weight"].shape);
        Assert.Equal(new long[] { 10, 32 }, conv.state_dict()["head.weight"].shape);
        Assert.DoesNotContain(conv.state_dict().Keys, k => k.EndsWith(".bias", StringComparison.Ordinal));
        var group = ScaleInvariantGroup.Of(mlp);
        double expected = Math.Sqrt(mlp.parameters().Sum(p => p.to(ScalarType.Float64).pow(2).sum().ToDouble()));
        Assert.Equal(expected, group.Norm(), 10);
    }

    [Fact]
    public void OtherModelsHaveNoScaleInvariantGroup()
    {
        using var model = ModelRegistry.Create(new ModelSpec("mlp", 8, 1, BatchNorm: true), seed: 0);
        Assert.False(ScaleInvariantGroup.Supports(model));
        var e = Assert.Throws<LandscapeException>(() => ScaleInvariantGroup.Of(model));
        Assert.Contains("mlp-si", e.Message);
    }

    [Fact]
    public void CheckpointsRoundTripTheFrozenLayer()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"ll-si-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "m.safetensors");
        using var model = ModelRegistry.Create(new ModelSpec("mlp-si", 8, 1, InputChannels: 1, ImageSize: 4, Classes: 3), seed: 5);
        LossLandscape.Runs.Checkpoint.Save(file, model);
        using var loaded = LossLandscape.Runs.Checkpoint.Load(file);
        Assert.IsType<MlpSI>(loaded);
        Assert.True(loaded.state_dict()["head.weight"].equal(model.state_dict()["head.weight"]).all().item<bool>());
        Directory.Delete(folder, true);
    }
}
