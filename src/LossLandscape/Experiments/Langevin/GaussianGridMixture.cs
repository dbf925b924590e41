using static TorchSharp.torch;

namespace LossLandscape.Experiments.Langevin;

/// <summary>
/// How a set of samples covers the modes of a <see cref="GaussianGridMixture"/>.
/// </summary>
/// <param name="SamplesPerMode">Samples within the radius of each centre (in the mixture's centre order).</param>
/// <param name="ModesFound">Modes with at least the required number of samples within the radius.</param>
/// <param name="OffModeShare">Share of samples within the radius of no centre (non-finite samples count here).</param>
/// <param name="TotalVariation">Total-variation distance between the samples' occupancy of the 26 cells (each mode's disk,
/// and everything else) and the target's: 0 for a perfect sampler, 1 for one whose samples all miss the target's cells.</param>
public sealed record ModeCoverage(int[] SamplesPerMode, int ModesFound, double OffModeShare, double TotalVariation, int Samples);

/// <summary>
/// The multimodal toy of cyclical SG-MCMC (Zhang et al. 2020): an equal-weight mixture of isotropic Gaussians centred
/// on a square grid, by default {-4, -2, 0, 2, 4}^2 with covariance 0.03 I. U(theta) = -log p(theta); its gradient is
/// sum_j w_j(theta) (theta - mu_j) / s^2 with w the posterior weights of the components.
/// </summary>
public sealed class GaussianGridMixture : IDisposable
{
    readonly Tensor centres; // [modes, 2], float64
    readonly Tensor scaledCentresT; // mu^T / s^2, [2, modes]
    readonly Tensor logitOffset; // -|mu_j|^2 / (2 s^2), [modes]

    public GaussianGridMixture(IReadOnlyList<double> coordinates, double variance)
    {
        if (coordinates.Count < 1 || !(variance > 0)) throw new LandscapeException("a grid mixture needs coordinates and a positive variance");
        Coordinates = coordinates;
        Variance = variance;
        Centres = coordinates.SelectMany(x => coordinates.Select(y => (X: x, Y: y))).ToList();
        centres = tensor(Centres.SelectMany(c => new[] { c.X, c.Y }).ToArray(), dtype: ScalarType.Float64).reshape(Centres.Count, 2);
        scaledCentresT = centres.t().div(variance).contiguous();
        logitOffset = tensor(Centres.Select(c => -(c.X * c.X + c.Y * c.Y) / (2 * variance)).ToArray(), dtype: ScalarType.Float64);
    }

    /// <summary>Zhang et al.'s 25 Gaussians: centres {-4, -2, 0, 2, 4}^2, covariance 0.03 I.</summary>
    public static GaussianGridMixture TwentyFive() => new(new[] { -4.0, -2, 0, 2, 4 }, 0.03);

    public IReadOnlyList<double> Coordinates { get; }
    public double Variance { get; }
    public IReadOnlyList<(double X, double Y)> Centres { get; }
    public int Modes => Centres.Count;

    /// <summary>
    /// grad U at each row of <paramref name="theta"/> ([chains, 2], float64, on the CPU); rows are independent chains.
    /// The weights are softmax_j(-|theta - mu_j|^2 / (2 s^2)) = softmax_j((theta . mu_j - |mu_j|^2 / 2) / s^2), as |theta|^2
    /// is common to all j; then grad U = (theta - sum_j w_j mu_j) / s^2. Three small kernels per step, as the toy runs
    /// tens of thousands of steps.
    /// </summary>
    public Tensor Gradient(Tensor theta)
    {
        using var logits = addmm(logitOffset, theta, scaledCentresT, beta: 1, alpha: 1);
        using var weights = logits.softmax(1);
        return addmm(theta, weights, centres, beta: (float)(1 / Variance), alpha: (float)(-1 / Variance)); // libtorch takes the scalars as float
    }

    /// <summary>p(x, y).</summary>
    public double Density(double x, double y)
    {
        double sum = 0;
        foreach (var (cx, cy) in Centres) sum += Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * Variance));
        return sum / (Modes * 2 * Math.PI * Variance);
    }

    /// <summary>Probability that a sample of one component lies within <paramref name="radius"/> of its centre: 1 - exp(-r^2 / (2 s^2)).</summary>
    public double MassWithin(double radius) => 1 - Math.Exp(-radius * radius / (2 * Variance));

    /// <summary>
    /// Counts samples within <paramref name="radius"/> of each centre; a mode is found when at least
    /// <paramref name="minSamples"/> fall there. The radius must be below half the grid spacing so the disks are disjoint.
    /// </summary>
    public ModeCoverage Coverage(IReadOnlyList<double> x, IReadOnlyList<double> y, double radius, int minSamples)
    {
        if (x.Count != y.Count) throw new ArgumentException("x and y differ in length");
        var perMode = new int[Modes];
        int off = 0;
        for (int i = 0; i < x.Count; i++)
        {
            int mode = NearestWithin(x[i], y[i], radius);
            if (mode < 0) off++;
            else perMode[mode]++;
        }
        int n = Math.Max(1, x.Count);
        double within = MassWithin(radius);
        double tv = Math.Abs((double)off / n - (1 - within));
        foreach (int count in perMode) tv += Math.Abs((double)count / n - within / Modes);
        return new ModeCoverage(perMode, perMode.Count(c => c >= minSamples), (double)off / n, tv / 2, x.Count);
    }

    int NearestWithin(double x, double y, double radius)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y)) return -1;
        for (int j = 0; j < Centres.Count; j++)
        {
            double dx = x - Centres[j].X, dy = y - Centres[j].Y;
            if (dx * dx + dy * dy <= radius * radius) return j;
        }
        return -1;
    }

    public void Dispose()
    {
        centres.Dispose();
        scaledCentresT.Dispose();
        logitOffset.Dispose();
    }
}
