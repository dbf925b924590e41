using LossLandscape.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Models;

public class PermutationTests
{
    [Theory]
    [MemberData(nameof(PermutationTestModels.Kinds), MemberType = typeof(PermutationTestModels))]
    public void RandomPermutationKeepsTheFunctionAndMovesTheWeights(string kind)
    {
        using var original = PermutationTestModels.Create(kind, seed: 3);
        using var permuted = PermutationTestModels.Create(kind, seed: 3);
        var spec = PermutationSpec.For(permuted);
        var perms = PermutationSet.Random(spec, seed: 11);
        Assert.False(perms.IsIdentity);
        Permutation.ApplyInPlace(permuted, perms);

        // In double precision, so that the bound tests the permutation and not float32 summation order
        // (ResNet logits reach ~60 here, where float32 reorderings alone move them by ~1e-5).
        original.to(ScalarType.Float64);
        permuted.to(ScalarType.Float64);
        using var x = PermutationTestModels.Inputs(original.Spec, 16, seed: 5).to(ScalarType.Float64);
        var modes = original.HasBatchNorm ? new[] { false, true } : new[] { false };
        using var _ = no_grad();
        foreach (bool training in modes)
        {
            original.train(training);
            permuted.train(training);
            using var a = original.call(x);
            using var b = permuted.call(x);
            double gap = a.sub(b).abs().max().item<double>();
            Assert.True(gap < 1e-9, $"{kind} ({(training ? "train" : "eval")} mode): outputs differ by {gap}, largest {a.abs().max().item<double>()}");
        }
        var before = original.state_dict();
        var after = permuted.state_dict();
        foreach (var group in spec.Groups)
        {
            var (tensor, _) = spec.Members(group.Name).First();
            Assert.False(before[tensor].eq(after[tensor]).all().item<bool>(), $"{kind}: '{tensor}' ({group.Name}) did not move");
        }
    }

    [Theory]
    [MemberData(nameof(PermutationTestModels.Kinds), MemberType = typeof(PermutationTestModels))]
    public void SpecCoversEveryStateTensorAndNeverPermutesInputsOrClasses(string kind)
    {
        using var model = PermutationTestModels.Create(kind, seed: 0);
        var spec = PermutationSpec.For(model); // validates names, ranks and sizes
        Assert.Equal(model.state_dict().Keys.OrderBy(n => n), spec.Tensors.Select(t => t.Tensor).OrderBy(n => n));
        Assert.All(spec.Groups, g => Assert.NotEmpty(g.ActivationSites));
        Assert.Null(spec.AxesOf("head.weight").Axes[0]);
        Assert.Null(spec.AxesOf("head.bias").Axes[0]);
        var first = spec.Tensors[0];
        Assert.Null(first.Axes[1]); // the input axis of the first layer
    }

    [Fact]
    public void ResNetStreamsAreSharedAcrossBlocksAndInnerChannelsAreNot()
    {
        using var model = PermutationTestModels.Create("resnet18", seed: 0);
        var spec = PermutationSpec.For(model);
        Assert.Equal(4 + 8, spec.Groups.Count);
        Assert.Equal("stream1", spec.AxesOf("stem.weight").Axes[0]);
        Assert.Equal("stream1", spec.AxesOf("layer1.1.conv2.weight").Axes[0]);
        Assert.Equal("stream1", spec.AxesOf("layer2.0.bn1.running_mean").Axes[0]);
        Assert.Equal("stream1", spec.AxesOf("layer2.0.shortcut.weight").Axes[1]);
        Assert.Equal("stream2", spec.AxesOf("layer2.0.shortcut.weight").Axes[0]);
        Assert.Equal("stream2", spec.AxesOf("layer2.1.conv1.weight").Axes[1]);
        Assert.Equal("stream4", spec.AxesOf("head.weight").Axes[1]);
        Assert.Equal("layer3.1.inner", spec.AxesOf("layer3.1.conv2.weight").Axes[1]);
        Assert.Empty(spec.AxesOf("layer3.1.bn2.num_batches_tracked").Axes);
    }

    [Fact]
    public void InverseUndoesAndCompositionChains()
    {
        using var model = PermutationTestModels.Create("mlp-bn", seed: 1);
        var spec = PermutationSpec.For(model);
        var p = PermutationSet.Random(spec, 1);
        var q = PermutationSet.Random(spec, 2);
        Assert.True(p.Then(p.Inverse()).IsIdentity);
        Assert.True(p.Inverse().Then(p).IsIdentity);

        var state = Permutation.Snapshot(model);
        var stepwise = Permutation.Apply(spec, q, Permutation.Apply(spec, p, state));
        var combined = Permutation.Apply(spec, p.Then(q), state);
        var back = Permutation.Apply(spec, p.Then(q).Inverse(), combined);
        foreach (var name in state.Keys)
        {
            Assert.True(stepwise[name].eq(combined[name]).all().item<bool>(), name);
            Assert.True(back[name].eq(state[name]).all().item<bool>(), name);
        }
        foreach (var t in state.Values.Concat(stepwise.Values).Concat(combined.Values).Concat(back.Values)) t.Dispose();
    }

    [Fact]
    public void RejectsIndicesThatAreNotAPermutation()
    {
        Assert.Throws<ArgumentException>(() => new PermutationSet(new Dictionary<string, long[]> { ["g"] = new long[] { 0, 0, 1 } }));
    }
}
