using static TorchSharp.torch;

namespace LossLandscape.Curvature;

/// <summary>An estimate with its standard error over independent runs (NaN with one run).</summary>
public readonly record struct RunEstimate(double Mean, double StandardError);

/// <summary>
/// Spectral density of a symmetric operator by stochastic Lanczos quadrature (arXiv:1901.10159;
/// PyHessian's <c>hessian.density</c>). Each run is a Gauss quadrature of the spectral measure seen from one random
/// unit vector: nodes are Ritz values, weights the squared first components of T's eigenvectors. Averaging runs
/// approximates the eigenvalue distribution; smoothing with Gaussians turns the point masses into a density.
/// </summary>
public sealed class SpectralDensity
{
    SpectralDensity(IReadOnlyList<double[]> nodes, IReadOnlyList<double[]> weights, long dimension, long products)
    {
        Nodes = nodes;
        Weights = weights;
        Dimension = dimension;
        Products = products;
    }

    /// <summary>Ritz values of each run, ascending.</summary>
    public IReadOnlyList<double[]> Nodes { get; }

    /// <summary>Quadrature weights of each run; each run's weights sum to 1.</summary>
    public IReadOnlyList<double[]> Weights { get; }

    public long Dimension { get; }

    /// <summary>Operator products used.</summary>
    public long Products { get; }

    public static SpectralDensity Estimate(ILinearOperator op, SpectralDensitySettings? settings = null)
    {
        settings ??= new SpectralDensitySettings();
        settings.Validate();
        long productsBefore = op.Products;
        using var generator = Probes.Generator(settings.Seed);
        var nodes = new List<double[]>();
        var weights = new List<double[]>();
        for (int run = 0; run < settings.Runs; run++)
        {
            using var scope = NewDisposeScope();
            var start = Probes.Draw(settings.Probe, op.Dimension, op.DType, op.Device, generator);
            var (n, w) = Lanczos.Tridiagonalize(op, start, settings.Iterations).Quadrature();
            nodes.Add(n);
            weights.Add(w);
        }
        return new SpectralDensity(nodes, weights, op.Dimension, op.Products - productsBefore);
    }

    /// <summary>
    /// Estimate of the normalised spectral moment tr(A^p) / n: the runs' quadratures sum_i w_i theta_i^p, exact per
    /// run for p up to 2m - 1. Unbiased over Rademacher runs (their norm is always sqrt(n)); with Gaussian runs it
    /// is a ratio estimate, consistent but slightly biased. p = 1 gives trace / n.
    /// </summary>
    public RunEstimate Moment(int p)
    {
        var perRun = Nodes.Select((n, r) => n.Zip(Weights[r], (theta, w) => w * Math.Pow(theta, p)).Sum()).ToList();
        return new RunEstimate(perRun.Average(), Hutchinson.StandardError(perRun));
    }

    /// <summary>
    /// The run-averaged quadrature smoothed by Gaussians of standard deviation <paramref name="sigma"/>, at each
    /// point of an ascending <paramref name="grid"/>. Normalised (trapezoid rule) to integrate to 1 over the grid,
    /// as PyHessian does, unless <paramref name="normalize"/> is false.
    /// </summary>
    public double[] Density(IReadOnlyList<double> grid, double sigma, bool normalize = true)
    {
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "a positive width");
        for (int j = 1; j < grid.Count; j++)
            if (!(grid[j] > grid[j - 1])) throw new ArgumentException("the grid must be strictly ascending", nameof(grid));
        double scale = 1 / (Math.Sqrt(2 * Math.PI) * sigma * Nodes.Count);
        var density = new double[grid.Count];
        for (int j = 0; j < grid.Count; j++)
        {
            double sum = 0;
            for (int r = 0; r < Nodes.Count; r++)
                for (int i = 0; i < Nodes[r].Length; i++)
                {
                    double z = (grid[j] - Nodes[r][i]) / sigma;
                    sum += Weights[r][i] * Math.Exp(-0.5 * z * z);
                }
            density[j] = sum * scale;
        }
        if (normalize)
        {
            double mass = Integrate(grid, density);
            if (mass > 0) for (int j = 0; j < density.Length; j++) density[j] /= mass;
        }
        return density;
    }

    /// <summary>
    /// PyHessian's plotting grid: <paramref name="bins"/> equally spaced points from the runs' mean smallest node
    /// minus <paramref name="overhead"/> to their mean largest node plus it.
    /// </summary>
    public double[] DefaultGrid(int bins = 10000, double overhead = 0.01)
    {
        if (bins < 2) throw new ArgumentOutOfRangeException(nameof(bins), bins, "at least two points");
        var (low, high) = Range(overhead);
        return Enumerable.Range(0, bins).Select(j => low + (high - low) * j / (bins - 1)).ToArray();
    }

    /// <summary>PyHessian's smoothing width: variance 1e-5 * max(1, spectrum range), as a standard deviation.</summary>
    public double DefaultSigma(double overhead = 0.01)
    {
        var (low, high) = Range(overhead);
        return Math.Sqrt(1e-5 * Math.Max(1, high - low));
    }

    /// <summary>Trapezoid rule on an ascending grid.</summary>
    public static double Integrate(IReadOnlyList<double> grid, IReadOnlyList<double> values)
    {
        if (grid.Count != values.Count) throw new ArgumentException("grid and values differ in length");
        double total = 0;
        for (int j = 1; j < grid.Count; j++) total += 0.5 * (values[j] + values[j - 1]) * (grid[j] - grid[j - 1]);
        return total;
    }

    (double Low, double High) Range(double overhead) =>
        (Nodes.Average(n => n.Min()) - overhead, Nodes.Average(n => n.Max()) + overhead);
}
