using LossLandscape.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Data;

public class TransformTests
{
    static Dataset Numbered(int count, int classes = 10) =>
        new("numbered", torch.arange(count, dtype: ScalarType.Float32).reshape(count, 1),
            torch.arange(count, dtype: ScalarType.Int64).remainder(classes), classes);

    static long[] Ids(Dataset d) => d.Inputs.reshape(-1).to(ScalarType.Int64).data<long>().ToArray();

    [Fact]
    public void StandardizationFittedOnTrainGivesZeroMeanUnitStd()
    {
        var generator = new torch.Generator(1);
        using var train = new Dataset("t", torch.rand([500, 1, 4, 4], generator: generator) * 3 + 2, torch.zeros(500, ScalarType.Int64), 2);
        using var test = new Dataset("s", torch.rand([100, 1, 4, 4], generator: generator) * 3 + 2, torch.zeros(100, ScalarType.Int64), 2);
        var standardization = Standardization.Fit(train);
        Assert.InRange(standardization.Mean, 3.4, 3.6);
        using var standardized = standardization.Apply(train);
        using var standardizedTest = standardization.Apply(test);
        Assert.Equal(0, standardized.Inputs.mean().item<float>(), 4);
        Assert.Equal(1, standardized.Inputs.std(unbiased: false).item<float>(), 4);
        Assert.Equal(train.Inputs.shape, standardized.Inputs.shape);
        // Test data uses the training statistics, not its own.
        var expected = (test.Inputs - standardization.Mean) / standardization.Std;
        Assert.True(standardizedTest.Inputs.allclose(expected));
        Assert.InRange(train.Inputs.mean().item<float>(), 3.4, 3.6);
    }

    [Fact]
    public void StandardizingConstantInputsIsAUserError()
    {
        using var data = new Dataset("flat", torch.ones(5, 3), torch.zeros(5, ScalarType.Int64), 2);
        Assert.Throws<LandscapeException>(() => Standardization.Fit(data));
    }

    [Fact]
    public void TrainValidationSplitIsDisjointCoveringAndSeeded()
    {
        using var data = Numbered(100);
        var (train, validation) = Sampling.TrainValidationSplit(data, 0.25, seed: 3);
        using var _ = train;
        using var __ = validation;
        Assert.Equal(75, train.Count);
        Assert.Equal(25, validation.Count);
        var all = Ids(train).Concat(Ids(validation)).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), all);
        // Labels travel with their inputs.
        Assert.True(Tensors.Same(train.Labels, train.Inputs.reshape(-1).to(ScalarType.Int64).remainder(10)));

        var (train2, validation2) = Sampling.TrainValidationSplit(data, 25, seed: 3);
        using var ___ = train2;
        using var ____ = validation2;
        Assert.Equal(Ids(validation), Ids(validation2));
        var (train3, validation3) = Sampling.TrainValidationSplit(data, 25, seed: 4);
        using var _____ = train3;
        using var ______ = validation3;
        Assert.NotEqual(Ids(validation).Order(), Ids(validation3).Order());
    }

    [Fact]
    public void SubsetsOfOneSeedAreNested()
    {
        using var data = Numbered(1000);
        using var small = Sampling.Subset(data, 10, seed: 5);
        using var medium = Sampling.Subset(data, 100, seed: 5);
        using var large = Sampling.Subset(data, 1000, seed: 5);
        using var other = Sampling.Subset(data, 10, seed: 6);
        Assert.Equal(10, small.Count);
        Assert.Equal(Ids(small), Ids(medium).Take(10));
        Assert.Equal(Ids(medium), Ids(large).Take(100));
        Assert.Equal(1000, Ids(large).Distinct().Count());
        Assert.NotEqual(Ids(small), Ids(other));
        Assert.Throws<LandscapeException>(() => Sampling.Subset(data, 1001, 5));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.1, 100)]
    [InlineData(0.2505, 251)]
    [InlineData(1.0, 1000)]
    public void LabelNoiseChangesExactlyTheChosenLabels(double rate, int expected)
    {
        using var data = Numbered(1000, classes: 3);
        using var noisy = LabelNoise.Apply(data, rate, seed: 9);
        using var again = LabelNoise.Apply(data, rate, seed: 9);

        Assert.Equal(expected, noisy.CorruptedIndices.Length);
        Assert.Equal(noisy.CorruptedIndices.Order(), noisy.CorruptedIndices);
        Assert.Equal(noisy.CorruptedIndices, again.CorruptedIndices);
        Assert.True(Tensors.Same(noisy.Dataset.Labels, again.Dataset.Labels));

        var before = data.Labels.data<long>().ToArray();
        var after = noisy.Dataset.Labels.data<long>().ToArray();
        var changed = Enumerable.Range(0, 1000).Where(i => before[i] != after[i]).Select(i => (long)i).ToArray();
        Assert.Equal(noisy.CorruptedIndices, changed);
        Assert.All(after, l => Assert.InRange(l, 0, 2));
        Assert.True(Tensors.Same(noisy.Dataset.Inputs, data.Inputs));
    }

    [Fact]
    public void LabelNoiseUsesAllOtherClassesAndDependsOnSeed()
    {
        using var data = Numbered(3000, classes: 4);
        using var noisy = LabelNoise.Apply(data, 0.5, seed: 1);
        using var other = LabelNoise.Apply(data, 0.5, seed: 2);
        Assert.NotEqual(noisy.CorruptedIndices, other.CorruptedIndices);
        var before = data.Labels.data<long>().ToArray();
        var after = noisy.Dataset.Labels.data<long>().ToArray();
        var shifts = noisy.CorruptedIndices.Select(i => (after[i] - before[i] + 4) % 4).ToArray();
        for (int s = 1; s <= 3; s++)
            Assert.InRange(shifts.Count(x => x == s), 400, 600);
    }
}
