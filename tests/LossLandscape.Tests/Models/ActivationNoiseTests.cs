using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Models;

public class ActivationNoiseTests
{
    [Fact]
    public void NoiseActsInTrainingOnlyAndFollowsItsStd()
    {
        using var model = ModelRegistry.Create(new ModelSpec("mlp", 16, 1, InputChannels: 4, ImageSize: 1, Classes: 3, ActivationNoise: 0.4), 1);
        using var x = randn(8, 4);
        model.eval();
        using (var a = model.call(x)) using (var b = model.call(x)) Assert.True(a.eq(b).all().item<bool>());
        model.train();
        using (var a = model.call(x)) using (var b = model.call(x)) Assert.False(a.eq(b).all().item<bool>());
        model.SetActivationNoise(0);
        using (var a = model.call(x)) using (var b = model.call(x)) Assert.True(a.eq(b).all().item<bool>());
        Assert.DoesNotContain(model.state_dict().Keys, k => k.Contains("noise"));
    }

    [Fact]
    public void CnnKCarriesNoiseAfterBatchNorm()
    {
        using var model = ModelRegistry.Create(new ModelSpec("cnn", 2, BatchNorm: true, ActivationNoise: 0.4), 1);
        Assert.Contains(model.named_modules(), m => m.name == "features.noise0");
        using var x = randn(4, 1, 28, 28);
        model.train();
        using (var a = model.call(x)) using (var b = model.call(x)) Assert.False(a.eq(b).all().item<bool>());
    }
}
