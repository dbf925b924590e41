using LossLandscape.Data;
using TorchSharp;

namespace LossLandscape.Tests.Data;

public class SyntheticSetsTests
{
    static void AssertSame(DataSplit a, DataSplit b)
    {
        Assert.True(Tensors.Same(a.Train.Inputs, b.Train.Inputs));
        Assert.True(Tensors.Same(a.Train.Labels, b.Train.Labels));
        Assert.True(Tensors.Same(a.Test.Inputs, b.Test.Inputs));
        Assert.True(Tensors.Same(a.Test.Labels, b.Test.Labels));
    }

    [Fact]
    public void GaussianMixtureShapesBalanceAndSeeding()
    {
        var settings = new GaussianMixtureSettings(Classes: 4, Dimensions: 5, Separation: 3, TrainCount: 101, TestCount: 40, Seed: 7);
        using var a = SyntheticSets.GaussianMixture(settings);
        using var b = SyntheticSets.GaussianMixture(settings);
        using var c = SyntheticSets.GaussianMixture(settings with { Seed = 8 });

        Assert.Equal(new long[] { 101, 5 }, a.Train.Inputs.shape);
        Assert.Equal(new long[] { 40, 5 }, a.Test.Inputs.shape);
        Assert.Equal(4, a.Train.Classes);
        var counts = a.Train.Labels.bincount(null).data<long>().ToArray();
        Assert.Equal(new long[] { 26, 25, 25, 25 }, counts);
        AssertSame(a, b);
        Assert.False(Tensors.Same(a.Train.Inputs, c.Train.Inputs));
    }

    [Fact]
    public void GaussianMixtureClassMeansSitAtTheSeparation()
    {
        using var data = SyntheticSets.GaussianMixture(new GaussianMixtureSettings(3, 8, 6, 6000, 10, 1));
        for (int k = 0; k < 3; k++)
        {
            var mask = data.Train.Labels.eq(k);
            double norm = data.Train.Inputs[mask].mean([0]).norm().item<float>();
            Assert.InRange(norm, 5.7, 6.3);
        }
    }

    [Fact]
    public void TwoSpiralsShapesAndSeeding()
    {
        var settings = new TwoSpiralsSettings(TrainCount: 200, TestCount: 50, Noise: 0.05, Seed: 3);
        using var a = SyntheticSets.TwoSpirals(settings);
        using var b = SyntheticSets.TwoSpirals(settings);
        using var c = SyntheticSets.TwoSpirals(settings with { Seed = 4 });
        Assert.Equal(new long[] { 200, 2 }, a.Train.Inputs.shape);
        Assert.Equal(new long[] { 50, 2 }, a.Test.Inputs.shape);
        Assert.Equal(2, a.Train.Classes);
        Assert.Equal(new long[] { 100, 100 }, a.Train.Labels.bincount(null).data<long>().ToArray());
        AssertSame(a, b);
        Assert.False(Tensors.Same(a.Train.Inputs, c.Train.Inputs));
        Assert.True(a.Train.Inputs.abs().max().item<float>() < 1.5f);
    }

    [Fact]
    public void NoiselessSpiralArmsArePointReflections()
    {
        // With no noise, a class-1 point is a class-0 point rotated by half a turn: same radius, and for
        // class 0 the angle equals radius * turns * 2pi (mod 2pi).
        using var data = SyntheticSets.TwoSpirals(new TwoSpiralsSettings(100, 1, Noise: 0, Seed: 1, Turns: 1));
        var x = data.Train.Inputs.data<float>().ToArray();
        var y = data.Train.Labels.data<long>().ToArray();
        for (int i = 0; i < 100; i++)
        {
            double r = Math.Sqrt(x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1]);
            double angle = Math.Atan2(x[2 * i + 1], x[2 * i]) - (y[i] == 1 ? Math.PI : 0);
            double expected = r * 2 * Math.PI;
            double diff = Math.IEEERemainder(angle - expected, 2 * Math.PI);
            Assert.True(Math.Abs(diff) < 1e-3 || r < 1e-3, $"sample {i}: r {r} angle {angle}");
        }
    }

    [Fact]
    public void TeacherClassificationShapesAndSeeding()
    {
        var settings = new TeacherSettings(Dimensions: 10, HiddenWidth: 16, Outputs: 5, TrainCount: 300, TestCount: 60, Seed: 11);
        using var a = SyntheticSets.TeacherClassification(settings);
        using var b = SyntheticSets.TeacherClassification(settings);
        using var c = SyntheticSets.TeacherClassification(settings with { Seed = 12 });
        Assert.Equal(new long[] { 300, 10 }, a.Train.Inputs.shape);
        Assert.Equal(new long[] { 60 }, a.Test.Labels.shape);
        Assert.Equal(5, a.Train.Classes);
        Assert.InRange(a.Train.Labels.max().item<long>(), 0, 4);
        Assert.True(a.Train.Labels.unique().Item1.shape[0] >= 2);
        AssertSame(a, b);
        Assert.False(Tensors.Same(a.Train.Labels, c.Train.Labels));
    }

    [Fact]
    public void TeacherRegressionTargetsAreAFunctionOfInputs()
    {
        var settings = new TeacherSettings(4, 8, 2, 50, 20, Seed: 5);
        using var clean = SyntheticSets.TeacherRegression(settings);
        using var noisy = SyntheticSets.TeacherRegression(settings with { TargetNoise = 0.1 });
        Assert.Equal(new long[] { 50, 2 }, clean.TrainTargets.shape);
        Assert.Equal(new long[] { 20, 4 }, clean.TestInputs.shape);
        Assert.True(Tensors.Same(clean.TrainInputs, noisy.TrainInputs));
        double noiseStd = (noisy.TrainTargets - clean.TrainTargets).std().item<float>();
        Assert.InRange(noiseStd, 0.07, 0.13);
        using var classification = SyntheticSets.TeacherClassification(settings);
        Assert.True(Tensors.Same(classification.Train.Labels, clean.TrainTargets.argmax(1)));
    }
}
