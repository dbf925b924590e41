using LossLandscape.Connectivity;
using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using LossLandscape.Tests.Models;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Connectivity;

public class ActivationMatchingTests
{
    [Theory]
    [InlineData("mlp", 256)]
    [InlineData("mlp-bn", 256)]
    [InlineData("cnn", 32)]
    [InlineData("cnn-bn", 32)]
    [InlineData("resnet18", 32)]
    public void RecoversAPlantedPermutation(string kind, int samples)
    {
        using var a = PermutationTestModels.Create(kind, seed: 7);
        using var b = PermutationTestModels.Create(kind, seed: 7);
        using var x = PermutationTestModels.Inputs(a.Spec, samples, seed: 2);
        // Random running statistics leave many BatchNorm units dead on the batch, and dead units tie; statistics
        // estimated on the data (as after training) keep them alive.
        using (var data = new Dataset("batch", x.clone(), zeros(samples, dtype: ScalarType.Int64), 10))
            foreach (var model in new[] { a, b }) BatchNormStatistics.Reestimate(model, data);
        var planted = PermutationSet.Random(PermutationSpec.For(b), seed: 31);
        Permutation.ApplyInPlace(b, planted);
        b.train(); // matching must evaluate in eval mode and leave the mode alone

        var matched = ActivationMatching.Match(a, b, x);

        Assert.True(b.training);
        var expected = planted.Inverse();
        var wrong = expected.GroupNames.Where(g => !expected[g].SequenceEqual(matched[g])).ToList();
        Assert.True(wrong.Count == 0, $"{kind}: groups {string.Join(", ", wrong.Select(g => g + " " + string.Join(" ", expected[g].Zip(matched[g], (e, m) => e == m ? "." : $"{e}/{m}"))))} are not matched back");
    }

    [Fact]
    public void CorrelationOfAUnitWithItselfIsOneAndDeadUnitsGiveZero()
    {
        var group = new PermutationGroup("g", 3, new[] { "site" });
        using var activation = randn(50, 3, generator: new Generator(1));
        activation[.., 2] = zeros(50);
        var sites = new Dictionary<string, Tensor> { ["site"] = activation };
        var correlation = ActivationMatching.Correlation(group, sites, sites);
        Assert.Equal(1.0, correlation[0, 0], 1e-9);
        Assert.Equal(1.0, correlation[1, 1], 1e-9);
        Assert.Equal(0.0, correlation[2, 2], 1e-12);
        Assert.Equal(0.0, correlation[0, 2], 1e-12);
    }
}
