using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Data;

/// <summary>How the patched training set decides which samples keep their image and which show only the patch.</summary>
public enum PatchConstruction
{
    /// <summary>
    /// A fixed share of samples is patched; each time a patched sample is drawn it is patch-only with
    /// probability <see cref="PatchSettings.PatchOnlyShare"/>, else image plus patch (the paper's code).
    /// With the defaults 20% are clean, 64% image + patch and 16% patch-only in expectation.
    /// </summary>
    Stochastic,

    /// <summary>Fixed groups of exact sizes: clean only, patch only, image plus patch (20/20/60 by default).</summary>
    Groups,
}

/// <summary>
/// The patch-augmented dataset of the "learning rate and width of minima" experiment. A patch is a
/// PatchSize x PatchSize square at the centre of the image that replaces those pixels in every channel.
/// Its value for a sample of class y is z + s * zeta_y (image kept) or z + s * PatchOnlyFactor * u * zeta_y
/// (image zeroed), with z = Scale * N(0, I) shared by all classes, zeta_y ~ U[-ZetaRange, ZetaRange] per class,
/// s a random sign and u ~ U(0, 1). The class signal in the patch is small next to z and easy to memorise,
/// while the image content is the generalisable pattern.
/// </summary>
/// <param name="PatchedShare">Stochastic: fraction of training samples that are patched (rounded to a count).</param>
/// <param name="PatchOnlyShare">Stochastic: probability that a patched sample is drawn without its image.</param>
/// <param name="GroupShares">Groups: shares of clean, patch-only and image + patch samples; null means 0.2/0.2/0.6.</param>
/// <param name="Seed">Fixes z, zeta and which samples are patched (or in which group).</param>
public sealed record PatchSettings(
    PatchConstruction Construction = PatchConstruction.Stochastic,
    double PatchedShare = 0.8,
    double PatchOnlyShare = 0.2,
    double Scale = 1.25,
    double ZetaRange = 0.1,
    double PatchOnlyFactor = 1.75,
    int PatchSize = 7,
    double[]? GroupShares = null,
    int Seed = 0)
{
    public static readonly IReadOnlyList<double> DefaultGroupShares = [0.2, 0.2, 0.6];

    /// <summary>Shares of (clean, patch-only, image + patch) used by the Groups construction.</summary>
    public IReadOnlyList<double> EffectiveGroupShares => GroupShares ?? DefaultGroupShares;

    /// <summary>Throws a <see cref="LandscapeException"/> for settings that cannot describe a construction.</summary>
    public void Validate()
    {
        static bool IsShare(double x) => x >= 0 && x <= 1;
        if (!IsShare(PatchedShare))
            throw new LandscapeException($"patched share must lie in [0, 1], got {PatchedShare}");
        if (!IsShare(PatchOnlyShare))
            throw new LandscapeException($"patch-only share must lie in [0, 1], got {PatchOnlyShare}");
        if (!(Scale >= 0) || !(ZetaRange >= 0) || !(PatchOnlyFactor >= 0))
            throw new LandscapeException($"patch scale, zeta range and patch-only factor must be non-negative, got {Scale}, {ZetaRange}, {PatchOnlyFactor}");
        if (PatchSize < 1)
            throw new LandscapeException($"patch size must be at least 1, got {PatchSize}");
        var shares = EffectiveGroupShares;
        if (shares.Count != 3 || !shares.All(IsShare) || Math.Abs(shares.Sum() - 1) > 1e-9)
            throw new LandscapeException($"group shares must be three shares (clean, patch-only, both) summing to 1, got [{string.Join(", ", shares)}]");
    }
}

/// <summary>
/// Which training indices (sorted ascending) are clean and which are patched. For the Groups construction
/// Both and PatchOnly split Patched; for the Stochastic construction they are null because that choice is
/// made afresh at every draw.
/// </summary>
public sealed record PatchGroups(long[] Clean, long[] Patched, long[]? Both, long[]? PatchOnly);

/// <summary>One epoch's draw of the patched training set and which of its indices (sorted) were patch-only.</summary>
public sealed record PatchedSample(Dataset Dataset, long[] PatchOnlyIndices) : IDisposable
{
    public void Dispose() => Dataset.Dispose();
}

/// <summary>
/// The fixed parts of a patched training set (z, zeta, the patched indices and groups) over a clean training
/// set of images [N, C, H, W]. Each <see cref="Sample"/> re-draws the per-access randomness (signs, the
/// image-or-not choice, the patch-only magnitude) for all samples at once, as the paper's loader does on
/// every access; call it once per epoch. The clean set is borrowed, not owned: keep it alive and dispose it
/// yourself. It doubles as the clean validation set when given held-out data instead.
/// </summary>
public sealed class PatchedTrainingSet : IDisposable
{
    readonly Dataset clean;
    readonly Tensor patchedIndices;      // int64 [m], sorted
    readonly Tensor? fixedPatchOnly;     // bool [m] for Groups, null for Stochastic

    public PatchedTrainingSet(Dataset clean, PatchSettings settings)
    {
        settings.Validate();
        if (clean.Inputs.dim() != 4)
            throw new LandscapeException($"patches need images [N, C, H, W]; {clean.Name} has inputs of shape [{string.Join(", ", clean.Inputs.shape)}]");
        long channels = clean.Inputs.shape[1], height = clean.Inputs.shape[2], width = clean.Inputs.shape[3];
        if (settings.PatchSize > height || settings.PatchSize > width)
            throw new LandscapeException($"a {settings.PatchSize}x{settings.PatchSize} patch does not fit the {height}x{width} images of {clean.Name}");
        this.clean = clean;
        Settings = settings;
        // floor((H - P) / 2): rows and columns 10..16 of a 28x28 image for P = 7.
        Row = (height - settings.PatchSize) / 2;
        Column = (width - settings.PatchSize) / 2;

        var generator = new torch.Generator((ulong)settings.Seed);
        var device = clean.Inputs.device;
        int p = settings.PatchSize;
        var dtype = clean.Inputs.dtype;
        Z = (torch.randn([channels, p, p], generator: generator) * settings.Scale).to(dtype, device);
        Zeta = ((torch.rand([clean.Classes, channels, p, p], generator: generator) * 2 - 1) * settings.ZetaRange).to(dtype, device);

        long n = clean.Count;
        var permutation = torch.randperm(n, generator: generator).data<long>().ToArray();
        long[] Sorted(long start, long length) => permutation.AsSpan((int)start, (int)length).ToArray().Order().ToArray();
        if (settings.Construction == PatchConstruction.Stochastic)
        {
            long patched = Round(settings.PatchedShare * n);
            var patchedSet = Sorted(0, patched);
            Groups = new PatchGroups(Sorted(patched, n - patched), patchedSet, null, null);
            patchedIndices = torch.tensor(patchedSet, device: device);
        }
        else
        {
            var shares = settings.EffectiveGroupShares;
            long cleanCount = Math.Min(Round(shares[0] * n), n);
            long patchOnlyCount = Math.Min(Round(shares[1] * n), n - cleanCount);
            var patchOnly = Sorted(cleanCount, patchOnlyCount);
            var both = Sorted(cleanCount + patchOnlyCount, n - cleanCount - patchOnlyCount);
            var patchedSet = patchOnly.Concat(both).Order().ToArray();
            Groups = new PatchGroups(Sorted(0, cleanCount), patchedSet, both, patchOnly);
            patchedIndices = torch.tensor(patchedSet, device: device);
            var isPatchOnly = new HashSet<long>(patchOnly);
            fixedPatchOnly = torch.tensor(patchedSet.Select(isPatchOnly.Contains).ToArray(), device: device);
        }
    }

    public PatchSettings Settings { get; }
    public PatchGroups Groups { get; }

    /// <summary>The class-independent part of the patch, Scale * N(0, I), shape [C, P, P].</summary>
    public Tensor Z { get; }

    /// <summary>The per-class parts of the patch, U[-ZetaRange, ZetaRange], shape [classes, C, P, P].</summary>
    public Tensor Zeta { get; }

    /// <summary>First row and column of the patch.</summary>
    public long Row { get; }
    public long Column { get; }

    /// <summary>A new training set for one epoch: clean samples copied, patched ones re-drawn from <paramref name="epochSeed"/>.</summary>
    public Dataset Sample(int epochSeed) => Draw(epochSeed).Dataset;

    /// <summary>As <see cref="Sample"/>, also telling which samples were drawn without their image.</summary>
    public PatchedSample Draw(int epochSeed)
    {
        using var scope = torch.NewDisposeScope();
        long m = patchedIndices.shape[0];
        var generator = new torch.Generator((ulong)epochSeed);
        // Every draw is made for all patched samples in a fixed order, so a seed means the same thing under
        // either construction.
        var signs = torch.randint(0, 2, [m], dtype: ScalarType.Float32, generator: generator) * 2 - 1;
        var chosenPatchOnly = torch.rand([m], generator: generator) < Settings.PatchOnlyShare;
        var magnitudes = torch.rand([m], generator: generator);
        var device = clean.Inputs.device;
        var patchOnly = fixedPatchOnly ?? chosenPatchOnly.to(device);

        var images = clean.Inputs.index_select(0, patchedIndices);
        images.masked_fill_(patchOnly.view(m, 1, 1, 1), 0);
        var factors = torch.where(patchOnly, (signs * magnitudes * Settings.PatchOnlyFactor).to(device), signs.to(device)).to(images.dtype);
        PatchRegion(images).copy_(Patches(clean.Labels.index_select(0, patchedIndices), factors));
        var inputs = clean.Inputs.clone();
        inputs.index_copy_(0, patchedIndices, images);

        var patchOnlyIndices = patchedIndices.masked_select(patchOnly).cpu().data<long>().ToArray();
        var dataset = new Dataset($"{clean.Name}+patches@{epochSeed}", inputs.MoveToOuterDisposeScope(),
            clean.Labels.clone().MoveToOuterDisposeScope(), clean.Classes);
        return new PatchedSample(dataset, patchOnlyIndices);
    }

    /// <summary>
    /// <paramref name="count"/> all-zero images carrying only their class's patch (patch-only formula, draws
    /// from <paramref name="seed"/>), with labels balanced over the classes in a seeded order. A model that
    /// classifies these has learnt the patch rather than the images.
    /// </summary>
    public Dataset PatchOnlyTestSet(int count = 1000, int seed = 0)
    {
        if (count < 0)
            throw new LandscapeException($"a patch-only test set needs a non-negative size, got {count}");
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator((ulong)seed);
        var device = clean.Inputs.device;
        var order = torch.randperm(count, generator: generator);
        var labels = order.remainder(clean.Classes).to(device);
        var signs = torch.randint(0, 2, [count], dtype: ScalarType.Float32, generator: generator) * 2 - 1;
        var magnitudes = torch.rand([count], generator: generator);
        var factors = (signs * magnitudes * Settings.PatchOnlyFactor).to(clean.Inputs.dtype, device);
        var inputs = torch.zeros([count, .. clean.Inputs.shape[1..]], dtype: clean.Inputs.dtype, device: device);
        PatchRegion(inputs).copy_(Patches(labels, factors));
        return new Dataset($"{clean.Name}/patch-only", inputs.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), clean.Classes);
    }

    /// <summary>z + factor_i * zeta_{y_i} for every sample i, shape [n, C, P, P].</summary>
    Tensor Patches(Tensor labels, Tensor factors) =>
        Z.unsqueeze(0) + factors.view(-1, 1, 1, 1) * Zeta.index_select(0, labels);

    Tensor PatchRegion(Tensor images) =>
        images.narrow(2, Row, Settings.PatchSize).narrow(3, Column, Settings.PatchSize);

    static long Round(double x) => (long)Math.Round(x, MidpointRounding.AwayFromZero);

    public void Dispose()
    {
        Z.Dispose();
        Zeta.Dispose();
        patchedIndices.Dispose();
        fixedPatchOnly?.Dispose();
    }
}
