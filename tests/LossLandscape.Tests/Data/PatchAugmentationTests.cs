using LossLandscape;
using LossLandscape.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Data;

public class PatchAugmentationTests
{
    // Standard-normal images: no pixel is zero, so zeroed images and changed pixels are unambiguous.
    static Dataset Images(int count = 1000, int channels = 1, int size = 28, int classes = 10, int seed = 5) =>
        new("images", torch.randn([count, channels, size, size], generator: new torch.Generator((ulong)seed)),
            torch.arange(count, dtype: ScalarType.Int64).remainder(classes), classes);

    static Tensor Rows(Tensor t, long[] indices) => t.index_select(0, torch.tensor(indices));

    /// <summary>True inside the patch, shape [H, W].</summary>
    static Tensor PatchMask(PatchedTrainingSet set, long height, long width)
    {
        var mask = torch.zeros([height, width], ScalarType.Bool);
        mask.narrow(0, set.Row, set.Settings.PatchSize).narrow(1, set.Column, set.Settings.PatchSize).fill_(true);
        return mask;
    }

    static Tensor PatchOf(PatchedTrainingSet set, Tensor images) =>
        images.narrow(2, set.Row, set.Settings.PatchSize).narrow(3, set.Column, set.Settings.PatchSize);

    static long[] Except(long[] all, long[] removed) => all.Except(removed).Order().ToArray();

    [Fact]
    public void PatchIsTheCentreSquare()
    {
        using var mnistLike = Images(count: 10);
        using var set28 = new PatchedTrainingSet(mnistLike, new PatchSettings());
        Assert.Equal((10, 10), (set28.Row, set28.Column));
        using var cifarLike = Images(count: 10, channels: 3, size: 32);
        using var set32 = new PatchedTrainingSet(cifarLike, new PatchSettings());
        Assert.Equal((12, 12), (set32.Row, set32.Column));
        Assert.Equal([3L, 7, 7], set32.Z.shape);
        Assert.Equal([10L, 3, 7, 7], set32.Zeta.shape);
        Assert.True(set32.Zeta.abs().max().item<float>() <= 0.1f);
    }

    [Fact]
    public void StochasticPatchesAFixedShareAndRedrawsPerEpoch()
    {
        using var data = Images();
        using var set = new PatchedTrainingSet(data, new PatchSettings(Seed: 1));
        Assert.Equal(800, set.Groups.Patched.Length);
        Assert.Equal(200, set.Groups.Clean.Length);
        Assert.Null(set.Groups.Both);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), set.Groups.Clean.Concat(set.Groups.Patched).Order());

        var outside = PatchMask(set, 28, 28).logical_not();
        using var first = set.Draw(epochSeed: 1);
        using var second = set.Draw(epochSeed: 2);
        foreach (var draw in new[] { first, second })
        {
            // Clean samples are untouched; patched ones either keep every pixel outside the patch or are zero there.
            Assert.True(Tensors.Same(Rows(draw.Dataset.Inputs, set.Groups.Clean), Rows(data.Inputs, set.Groups.Clean)));
            Assert.True(Tensors.Same(draw.Dataset.Labels, data.Labels));
            Assert.Empty(draw.PatchOnlyIndices.Except(set.Groups.Patched));
            var changed = draw.Dataset.Inputs.ne(data.Inputs).masked_select(outside.expand_as(data.Inputs)).reshape(1000, -1).any(1);
            Assert.Equal(draw.PatchOnlyIndices, torch.nonzero(changed).reshape(-1).data<long>().ToArray());
            // Every patched sample's patch differs from its image (which is N(0,1) noise, never equal to it).
            var patchChanged = PatchOf(set, draw.Dataset.Inputs).ne(PatchOf(set, data.Inputs)).reshape(1000, -1).all(1);
            Assert.Equal(set.Groups.Patched, torch.nonzero(patchChanged).reshape(-1).data<long>().ToArray());
        }
        Assert.NotEqual(first.PatchOnlyIndices, second.PatchOnlyIndices);
        var both = Except(set.Groups.Patched, first.PatchOnlyIndices.Concat(second.PatchOnlyIndices).ToArray());
        // Same samples, different signs in some of them.
        Assert.False(Tensors.Same(Rows(first.Dataset.Inputs, both), Rows(second.Dataset.Inputs, both)));
    }

    [Fact]
    public void ImageAndPatchSamplesCarryExactlyZPlusOrMinusZeta()
    {
        using var data = Images();
        using var set = new PatchedTrainingSet(data, new PatchSettings(Seed: 2));
        using var draw = set.Draw(epochSeed: 7);
        var both = Except(set.Groups.Patched, draw.PatchOnlyIndices);
        var patches = PatchOf(set, Rows(draw.Dataset.Inputs, both));
        var zeta = set.Zeta.index_select(0, Rows(data.Labels, both));
        var plus = patches.eq(set.Z + zeta).reshape(both.Length, -1).all(1);
        var minus = patches.eq(set.Z - zeta).reshape(both.Length, -1).all(1);
        Assert.True(plus.logical_or(minus).all().item<bool>());
        // Both signs occur.
        Assert.InRange(plus.sum().item<long>(), 1, both.Length - 1);

        var outside = PatchMask(set, 28, 28).logical_not().expand(both.Length, 1, 28, 28);
        Assert.True(Tensors.Same(Rows(draw.Dataset.Inputs, both).masked_select(outside), Rows(data.Inputs, both).masked_select(outside)));
    }

    [Fact]
    public void PatchOnlySamplesAreZeroOutsideAndWithinTheirBounds()
    {
        using var data = Images();
        using var set = new PatchedTrainingSet(data, new PatchSettings(Seed: 3));
        using var draw = set.Draw(epochSeed: 4);
        var only = draw.PatchOnlyIndices;
        var images = Rows(draw.Dataset.Inputs, only);
        Assert.True(images.masked_select(PatchMask(set, 28, 28).logical_not().expand_as(images)).eq(0).all().item<bool>());
        AssertPatchOnlyBounds(set, PatchOf(set, images), Rows(data.Labels, only));
    }

    static void AssertPatchOnlyBounds(PatchedTrainingSet set, Tensor patches, Tensor labels)
    {
        var reach = set.Zeta.index_select(0, labels).abs() * 1.75 + 1e-6;
        Assert.True(patches.ge(set.Z - reach).all().item<bool>());
        Assert.True(patches.le(set.Z + reach).all().item<bool>());
        // Each patch is z + f * zeta_y with one factor f per sample, so it is not just z.
        Assert.True(patches.ne(set.Z).reshape(patches.shape[0], -1).any(1).all().item<bool>());
    }

    [Fact]
    public void PatchOnlyShareAmongPatchedIsAboutOneFifth()
    {
        using var data = Images();
        using var set = new PatchedTrainingSet(data, new PatchSettings(Seed: 4));
        long total = 0;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            using var draw = set.Draw(epoch);
            // Binomial(800, 0.2): mean 160, standard deviation about 11.3; allow four of them.
            Assert.InRange(draw.PatchOnlyIndices.Length, 115, 205);
            total += draw.PatchOnlyIndices.Length;
        }
        Assert.InRange(total / 2400.0, 0.2 - 4 * Math.Sqrt(0.16 / 2400), 0.2 + 4 * Math.Sqrt(0.16 / 2400));
    }

    [Fact]
    public void GroupsHaveExactCountsAndFixedMembership()
    {
        using var data = Images();
        using var set = new PatchedTrainingSet(data, new PatchSettings(PatchConstruction.Groups, Seed: 5));
        var groups = set.Groups;
        Assert.Equal(200, groups.Clean.Length);
        Assert.Equal(200, groups.PatchOnly!.Length);
        Assert.Equal(600, groups.Both!.Length);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), groups.Clean.Concat(groups.PatchOnly).Concat(groups.Both).Order());
        Assert.Equal(groups.PatchOnly.Concat(groups.Both).Order(), groups.Patched);

        using var first = set.Draw(epochSeed: 1);
        using var second = set.Draw(epochSeed: 2);
        Assert.Equal(groups.PatchOnly, first.PatchOnlyIndices);
        Assert.Equal(groups.PatchOnly, second.PatchOnlyIndices);
        Assert.True(Tensors.Same(Rows(first.Dataset.Inputs, groups.Clean), Rows(data.Inputs, groups.Clean)));
        AssertPatchOnlyBounds(set, PatchOf(set, Rows(first.Dataset.Inputs, groups.PatchOnly)), Rows(data.Labels, groups.PatchOnly));
        Assert.False(Tensors.Same(first.Dataset.Inputs, second.Dataset.Inputs));

        using var custom = new PatchedTrainingSet(data, new PatchSettings(PatchConstruction.Groups, GroupShares: [0.5, 0.1, 0.4]));
        Assert.Equal((500, 100, 400), (custom.Groups.Clean.Length, custom.Groups.PatchOnly!.Length, custom.Groups.Both!.Length));
    }

    [Fact]
    public void SameSeedsGiveIdenticalTensors()
    {
        using var data = Images(count: 200);
        foreach (var construction in new[] { PatchConstruction.Stochastic, PatchConstruction.Groups })
        {
            using var a = new PatchedTrainingSet(data, new PatchSettings(construction, Seed: 9));
            using var b = new PatchedTrainingSet(data, new PatchSettings(construction, Seed: 9));
            using var c = new PatchedTrainingSet(data, new PatchSettings(construction, Seed: 10));
            Assert.True(Tensors.Same(a.Z, b.Z) && Tensors.Same(a.Zeta, b.Zeta));
            Assert.Equal(a.Groups.Patched, b.Groups.Patched);
            using var sampleA = a.Sample(3);
            using var sampleB = b.Sample(3);
            Assert.True(Tensors.Same(sampleA.Inputs, sampleB.Inputs));
            using var testA = a.PatchOnlyTestSet(100, seed: 1);
            using var testB = b.PatchOnlyTestSet(100, seed: 1);
            Assert.True(Tensors.Same(testA.Inputs, testB.Inputs) && Tensors.Same(testA.Labels, testB.Labels));
            Assert.False(Tensors.Same(a.Z, c.Z));
            Assert.NotEqual(a.Groups.Patched, c.Groups.Patched);
        }
    }

    [Fact]
    public void PatchOnlyTestSetIsBalancedZeroOutsideAndWithinBounds()
    {
        using var data = Images(count: 100, channels: 3, size: 32);
        using var set = new PatchedTrainingSet(data, new PatchSettings(Seed: 6));
        using var test = set.PatchOnlyTestSet();
        Assert.Equal([1000L, 3, 32, 32], test.Inputs.shape);
        Assert.All(test.Labels.bincount(null).data<long>().ToArray(), n => Assert.Equal(100, n));
        Assert.True(test.Inputs.masked_select(PatchMask(set, 32, 32).logical_not().expand_as(test.Inputs)).eq(0).all().item<bool>());
        AssertPatchOnlyBounds(set, PatchOf(set, test.Inputs), test.Labels);
        using var other = set.PatchOnlyTestSet(1000, seed: 1);
        Assert.False(Tensors.Same(test.Inputs, other.Inputs));
    }

    [Fact]
    public void UnusableSettingsAndShapesAreUserErrors()
    {
        using var data = Images(count: 20);
        Assert.Throws<LandscapeException>(() => new PatchedTrainingSet(data, new PatchSettings(GroupShares: [0.5, 0.5, 0.5])));
        Assert.Throws<LandscapeException>(() => new PatchedTrainingSet(data, new PatchSettings(PatchedShare: 1.5)));
        Assert.Throws<LandscapeException>(() => new PatchedTrainingSet(data, new PatchSettings(PatchSize: 29)));
        using var flat = new Dataset("flat", torch.randn(20, 784), torch.zeros(20, ScalarType.Int64), 10);
        Assert.Throws<LandscapeException>(() => new PatchedTrainingSet(flat, new PatchSettings()));
    }
}
