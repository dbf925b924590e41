using LossLandscape.Connectivity;
using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using LossLandscape.Tests.Models;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Connectivity;

public class WeightMatchingTests
{
    [Theory]
    [InlineData("mlp")]
    [InlineData("mlp-bn")]
    [InlineData("cnn")]
    [InlineData("resnet18")]
    public void RecoversAPlantedPermutationExactly(string kind)
    {
        using var a = PermutationTestModels.Create(kind, seed: 4);
        using var b = PermutationTestModels.Create(kind, seed: 4);
        var planted = PermutationSet.Random(PermutationSpec.For(b), seed: 21);
        Permutation.ApplyInPlace(b, planted);

        var result = WeightMatching.Match(a, b, new WeightMatchingSettings(Seed: 1));

        Assert.True(result.Converged);
        Assert.True(result.Permutations.SameAs(planted.Inverse()), $"{kind}: the matched permutations do not undo the planted ones");
        Assert.Equal(result.Rounds, result.ObjectivePerRound.Count);
        for (int r = 1; r < result.Rounds; r++) Assert.True(result.ObjectivePerRound[r] >= result.ObjectivePerRound[r - 1]);
        // At the optimum the objective is <W_A, W_A>, the squared norm of A's parameters.
        double norm2 = a.parameters().Sum(p => p.to(ScalarType.Float64).square().sum().item<double>());
        Assert.Equal(norm2, result.ObjectivePerRound[^1], norm2 * 1e-9);

        Permutation.ApplyInPlace(b, result.Permutations);
        foreach (var (name, t) in a.state_dict()) Assert.True(t.eq(b.state_dict()[name]).all().item<bool>(), name);
    }

    [Fact]
    public void IndependentModelsGetCloserAndTheObjectiveNeverFalls()
    {
        using var a = PermutationTestModels.Create("cnn-bn", seed: 1);
        using var b = PermutationTestModels.Create("cnn-bn", seed: 2);
        var spec = PermutationSpec.For(a);
        var result = WeightMatching.Match(a, b, new WeightMatchingSettings(Seed: 3, IncludeBuffers: true));
        Assert.True(result.Converged);
        using var wa = ParameterVector.Get(a);
        double distanceBefore = wa.dist(ParameterVector.Get(b)).item<float>();
        double identity = WeightMatching.Objective(spec, PermutationSet.Identity(spec), a.state_dict(), b.state_dict());
        Assert.True(result.ObjectivePerRound[0] > identity);
        for (int r = 1; r < result.Rounds; r++) Assert.True(result.ObjectivePerRound[r] >= result.ObjectivePerRound[r - 1]);

        Permutation.ApplyInPlace(b, result.Permutations);
        double distanceAfter = wa.dist(ParameterVector.Get(b)).item<float>();
        Assert.True(distanceAfter < distanceBefore, $"distance {distanceBefore} -> {distanceAfter}");
    }

    /// <summary>REPAIR-style repair at a BatchNorm net's interpolated point is re-estimation of its statistics; matched models take it as is.</summary>
    [Fact]
    public void MatchedBatchNormModelsWorkWithStatisticsReestimation()
    {
        using var a = PermutationTestModels.Create("resnet18", seed: 6);
        using var b = PermutationTestModels.Create("resnet18", seed: 6);
        Permutation.ApplyInPlace(b, PermutationSet.Random(PermutationSpec.For(b), seed: 8));
        Permutation.ApplyInPlace(b, WeightMatching.Match(a, b).Permutations);

        using var midpoint = PermutationTestModels.Create("resnet18", seed: 0);
        using (var wa = ParameterVector.Get(a))
        using (var wb = ParameterVector.Get(b))
        using (var mid = wa.add(wb).div_(2))
            ParameterVector.Set(midpoint, mid);
        using var data = new Dataset("noise", PermutationTestModels.Inputs(a.Spec, 64, seed: 9), zeros(64, dtype: ScalarType.Int64), 10);
        BatchNormStatistics.Reestimate(a, data, batchSize: 32);
        BatchNormStatistics.Reestimate(midpoint, data, batchSize: 32);
        a.eval();
        midpoint.eval();
        using var _ = no_grad();
        using var x = PermutationTestModels.Inputs(a.Spec, 8, seed: 10);
        double gap = a.call(x).sub(midpoint.call(x)).abs().max().item<float>();
        Assert.True(gap < 1e-4, $"the midpoint of a model and its matched permutation differs from it by {gap}");
    }
}
