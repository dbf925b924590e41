namespace LossLandscape.Curvature;

// Defaults follow PyHessian (arXiv:1912.07145) where it has them:
// maxIter = 100 and tol = 1e-3 for eigenvalues and trace, iter = 100 and n_v = 1 for the density.
// PyHessian has no Lanczos eigensolver; ours takes its power-iteration budget and tolerance.

/// <summary>Top-k eigenvalues by Lanczos.</summary>
/// <param name="TopK">How many of the largest (algebraic) eigenvalues.</param>
/// <param name="MaxIterations">Lanczos steps at most (one operator product each).</param>
/// <param name="Tolerance">Stop when every top-k Ritz value's residual estimate |beta_m s_m| / |theta| is below this.</param>
/// <param name="Seed">Seeds the Gaussian start vector.</param>
/// <param name="ComputeVectors">Also return the Ritz vectors (k vectors of the operator's dimension).</param>
public sealed record LanczosSettings(int TopK = 1, int MaxIterations = 100, double Tolerance = 1e-3, int Seed = 0, bool ComputeVectors = false)
{
    internal void Validate()
    {
        if (TopK < 1) throw new LandscapeException($"{nameof(TopK)} must be at least one eigenvalue, got {TopK}");
        if (MaxIterations < TopK) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, $"at least TopK = {TopK} iterations");
        if (!(Tolerance >= 0)) throw new LandscapeException($"{nameof(Tolerance)} must be a non-negative tolerance, got {Tolerance}");
    }
}

/// <summary>Top-k eigenvalues by power iteration with deflation, as PyHessian's <c>hessian.eigenvalues</c>.</summary>
/// <param name="TopK">How many eigenvalues, found one after another (largest magnitude first).</param>
/// <param name="MaxIterations">Products at most per eigenvalue.</param>
/// <param name="Tolerance">Stop an eigenvalue when the relative change of its estimate, |new - old| / (|old| + 1e-6), is below this.</param>
/// <param name="Seed">Seeds the Gaussian start vectors.</param>
public sealed record PowerIterationSettings(int TopK = 1, int MaxIterations = 100, double Tolerance = 1e-3, int Seed = 0)
{
    internal void Validate()
    {
        if (TopK < 1) throw new LandscapeException($"{nameof(TopK)} must be at least one eigenvalue, got {TopK}");
        if (MaxIterations < 1) throw new LandscapeException($"{nameof(MaxIterations)} must be at least one iteration, got {MaxIterations}");
        if (!(Tolerance >= 0)) throw new LandscapeException($"{nameof(Tolerance)} must be a non-negative tolerance, got {Tolerance}");
    }
}

/// <summary>Hutchinson's trace estimator, as PyHessian's <c>hessian.trace</c>.</summary>
/// <param name="MaxIterations">Probes at most (one product each).</param>
/// <param name="Tolerance">Stop when the running mean changes by less than this, relative: |new - old| / (|old| + 1e-6). 0 uses every probe.</param>
/// <param name="Seed">Seeds the probes.</param>
/// <param name="Probe">Probe distribution; Rademacher has the smaller variance.</param>
public sealed record HutchinsonSettings(int MaxIterations = 100, double Tolerance = 1e-3, int Seed = 0, ProbeDistribution Probe = ProbeDistribution.Rademacher)
{
    internal void Validate()
    {
        if (MaxIterations < 1) throw new LandscapeException($"{nameof(MaxIterations)} must be at least one probe, got {MaxIterations}");
        if (!(Tolerance >= 0)) throw new LandscapeException($"{nameof(Tolerance)} must be a non-negative tolerance, got {Tolerance}");
    }
}

/// <summary>Spectral density by stochastic Lanczos quadrature, as PyHessian's <c>hessian.density</c>.</summary>
/// <param name="Runs">Independent start vectors (PyHessian's n_v).</param>
/// <param name="Iterations">Lanczos steps per run (PyHessian's iter); one product each.</param>
/// <param name="Seed">Seeds the start vectors.</param>
/// <param name="Probe">Start-vector distribution (normalised before use).</param>
public sealed record SpectralDensitySettings(int Runs = 1, int Iterations = 100, int Seed = 0, ProbeDistribution Probe = ProbeDistribution.Rademacher)
{
    internal void Validate()
    {
        if (Runs < 1) throw new LandscapeException($"{nameof(Runs)} must be at least one run, got {Runs}");
        if (Iterations < 1) throw new LandscapeException($"{nameof(Iterations)} must be at least one iteration, got {Iterations}");
    }
}
