using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Models;

public class ResNet18KTests
{
    [Theory]
    [InlineData(1, 28, 2)]
    [InlineData(3, 32, 3)]
    public void MapsImagesToLogitsInBothModes(int channels, int size, int k)
    {
        using var model = ModelRegistry.Create(new ModelSpec("resnet18", k, InputChannels: channels, ImageSize: size), seed: 1);
        Assert.True(model.Spec.BatchNorm);
        Assert.True(model.HasBatchNorm);
        using var x = randn(4, channels, size, size);
        using (var logits = model.call(x)) Assert.Equal(new long[] { 4, 10 }, logits.shape);
        model.eval();
        using (var logits = model.call(x.flatten(1))) Assert.Equal(new long[] { 4, 10 }, logits.shape);
    }

    [Fact]
    public void StateNamesAndShapesFollowTheStages()
    {
        const int k = 4;
        using var model = ModelRegistry.Create(new ModelSpec("resnet18", k, InputChannels: 3, ImageSize: 32), seed: 0);
        var state = model.state_dict();
        Assert.Equal("stem.weight", state.Keys.First());
        Assert.Equal(new long[] { k, 3, 3, 3 }, state["stem.weight"].shape);
        Assert.Equal(new long[] { k }, state["layer1.0.bn1.weight"].shape);
        Assert.Equal(new long[] { k, k, 3, 3 }, state["layer1.1.conv2.weight"].shape);
        Assert.DoesNotContain("layer1.0.shortcut.weight", state.Keys);
        Assert.Equal(new long[] { 2 * k, k, 1, 1 }, state["layer2.0.shortcut.weight"].shape);
        Assert.Equal(new long[] { 8 * k, 4 * k, 3, 3 }, state["layer4.0.conv1.weight"].shape);
        Assert.DoesNotContain("layer2.1.shortcut.weight", state.Keys);
        Assert.Equal(new long[] { 8 * k }, state["bn.running_var"].shape);
        Assert.Equal(new long[] { 10, 8 * k }, state["head.weight"].shape);
        // 17 convs + head: the "18" of ResNet-18.
        Assert.Equal(18, state.Keys.Count(n => n.EndsWith("conv1.weight") || n.EndsWith("conv2.weight") || n is "stem.weight" or "head.weight"));
    }

    [Fact]
    public void ConstructionIsFastAtWidth64()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var model = ModelRegistry.Create(new ModelSpec("resnet18", 64, InputChannels: 3, ImageSize: 32), seed: 0);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.InRange(model.ParameterCount, 11_000_000, 11_300_000); // the usual ResNet-18 size
    }
}
