using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Models;

public class ModelTests
{
    [Fact]
    public void ReferenceMlpHasTheExpectedParametersAndNames()
    {
        using var model = ModelRegistry.Create(ModelSpec.ReferenceMlp, seed: 0);
        Assert.Equal(784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10, model.ParameterCount);
        Assert.Equal(new[] { "features.linear0.weight", "features.linear0.bias", "features.linear1.weight", "features.linear1.bias", "head.weight", "head.bias" },
            model.state_dict().Keys);
        using var logits = model.call(zeros(7, 1, 28, 28));
        Assert.Equal(new long[] { 7, 10 }, logits.shape);
    }

    [Fact]
    public void BatchNormBuffersKeepInt64Counters()
    {
        using var model = ModelRegistry.Create(new ModelSpec("mlp", 32, 2, BatchNorm: true), seed: 0);
        Assert.True(model.HasBatchNorm);
        Assert.Equal(ScalarType.Int64, model.state_dict()["features.bn0.num_batches_tracked"].dtype);
    }

    [Theory]
    [InlineData(1, 28, 4)]
    [InlineData(3, 32, 2)]
    public void CnnKMapsImagesToLogits(int channels, int size, int k)
    {
        using var model = ModelRegistry.Create(new ModelSpec("cnn", k, BatchNorm: true, InputChannels: channels, ImageSize: size), seed: 1);
        using var logits = model.call(randn(5, channels, size, size));
        Assert.Equal(new long[] { 5, 10 }, logits.shape);
        Assert.Contains("features.conv3.weight", model.state_dict().Keys);
        Assert.Equal(new long[] { 8 * k, 4 * k, 3, 3 }, model.state_dict()["features.conv3.weight"].shape);
    }

    [Fact]
    public void SameSeedSameWeightsDifferentSeedDifferent()
    {
        using var a = ModelRegistry.Create(ModelSpec.ReferenceMlp, 5);
        using var b = ModelRegistry.Create(ModelSpec.ReferenceMlp, 5);
        using var c = ModelRegistry.Create(ModelSpec.ReferenceMlp, 6);
        Assert.True(a.state_dict()["head.weight"].eq(b.state_dict()["head.weight"]).all().item<bool>());
        Assert.False(a.state_dict()["head.weight"].eq(c.state_dict()["head.weight"]).all().item<bool>());
    }

    [Fact]
    public void UnknownModelIsAUserError()
    {
        var e = Assert.Throws<LandscapeException>(() => ModelRegistry.Get("transformer"));
        Assert.Contains("mlp", e.Message);
    }

    [Fact]
    public void SpecRoundTripsThroughJson()
    {
        var spec = new ModelSpec("cnn", 8, BatchNorm: true, InputChannels: 3, ImageSize: 32, Classes: 100);
        Assert.Equal(spec, ModelSpec.FromJson(spec.ToJson()));
    }
}
