using LossLandscape.Training.Samplers;
using MathNet.Numerics.LinearAlgebra;

namespace LossLandscape.Experiments.Langevin;

/// <summary>
/// The Ornstein-Uhlenbeck check (Mandt et al. 2017): on a <see cref="NoisyQuadratic"/>, constant-LR SGD's empirical
/// stationary covariance at several (eta, S) against the OU prediction H Sigma + Sigma H = (eta / S) C and the exact
/// discrete-time one. Run lengths are set in OU time (steps times eta), so every eta gets the same number of relaxation times.
/// </summary>
/// <param name="Curvatures">Eigenvalues of H.</param>
/// <param name="Samples">N, the per-sample losses of the finite sum.</param>
/// <param name="Chains">Independent SGD chains per (eta, S), pooled.</param>
/// <param name="Time">Measured OU time per chain: steps = Time / eta.</param>
/// <param name="BurnInTime">OU time before measuring: the covariance relaxes as exp(-2 lambda_min t).</param>
/// <param name="Tolerance">Largest relative Frobenius error that counts as a match in the verdict.</param>
public sealed record SgdStationaritySettings(
    double[]? Curvatures = null,
    int Samples = 1000,
    double[]? LearningRates = null,
    int[]? BatchSizes = null,
    int Chains = 256,
    double Time = 250,
    double BurnInTime = 40,
    double Tolerance = 0.15)
{
    public double[] CurvaturesOrDefault => Curvatures ?? new[] { 1.0, 0.5, 0.25 };
    public double[] LearningRatesOrDefault => LearningRates ?? new[] { 0.025, 0.05, 0.1 };
    public int[] BatchSizesOrDefault => BatchSizes ?? new[] { 1, 4, 16 };

    public void Validate()
    {
        if (CurvaturesOrDefault.Length < 1 || CurvaturesOrDefault.Any(c => !(c > 0))) throw new LandscapeException("curvatures must be positive");
        if (LearningRatesOrDefault.Any(e => !(e > 0) || e * CurvaturesOrDefault.Max() >= 2)) throw new LandscapeException("learning rates must lie in (0, 2 / max curvature)");
        if (BatchSizesOrDefault.Any(b => b < 1) || Chains < 1 || !(Time > 0) || BurnInTime < 0) throw new LandscapeException("batch sizes and chains must be at least 1, times positive");
        if (LearningRatesOrDefault.Length * BatchSizesOrDefault.Length < 2) throw new LandscapeException("the eta / S check needs at least two (eta, S) pairs");
    }
}

/// <summary>One (eta, S) of one seed: the covariances (row-major d x d) and their relative Frobenius errors against the empirical one.</summary>
public sealed record CovariancePoint(int Seed, double LearningRate, int BatchSize, int Steps,
    double[][] Empirical, double[][] Predicted, double[][] Exact, double ErrorOu, double ErrorExact,
    double TraceEmpirical, double TraceOu, double TraceExact)
{
    /// <summary>eta / S, to which the OU temperature is proportional.</summary>
    public double Temperature => LearningRate / BatchSize;
}

/// <summary>One seed's problem and its (eta, S) points; the slope is that of log tr Sigma against log(eta / S) (1 when proportional).</summary>
public sealed record StationaritySeed(int Seed, double[][] Hessian, double[][] GradientCovariance, IReadOnlyList<CovariancePoint> Points,
    double MaxErrorOu, double MaxErrorExact, double Slope);

public static class SgdStationarity
{
    public static StationaritySeed Run(SgdStationaritySettings s, int seed, Action<string>? log = null)
    {
        s.Validate();
        using var problem = NoisyQuadratic.Create(s.CurvaturesOrDefault, s.Samples, seed);
        var points = new List<CovariancePoint>();
        foreach (double eta in s.LearningRatesOrDefault)
            foreach (int batch in s.BatchSizesOrDefault)
            {
                int steps = (int)Math.Ceiling(s.Time / eta), burnIn = (int)Math.Ceiling(s.BurnInTime / eta);
                var empirical = problem.StationaryCovariance(eta, batch, steps, burnIn, s.Chains, seed * 7919 + points.Count);
                var ou = OrnsteinUhlenbeck.SgdCovariance(problem.Hessian, problem.GradientCovariance, eta, batch);
                var exact = OrnsteinUhlenbeck.SgdCovarianceExact(problem.Hessian, problem.GradientCovariance, eta, batch);
                points.Add(new CovariancePoint(seed, eta, batch, steps, Rows(empirical), Rows(ou), Rows(exact),
                    OrnsteinUhlenbeck.RelativeFrobeniusError(ou, empirical), OrnsteinUhlenbeck.RelativeFrobeniusError(exact, empirical),
                    empirical.Trace(), ou.Trace(), exact.Trace()));
                log?.Invoke($"seed {seed}, eta {eta:G3}, S {batch}: tr Sigma empirical {empirical.Trace():G4}, OU {ou.Trace():G4}, exact {exact.Trace():G4}; " +
                            $"relative Frobenius error OU {points[^1].ErrorOu:P1}, exact {points[^1].ErrorExact:P1}");
            }
        var x = points.Select(p => Math.Log(p.Temperature)).ToArray();
        var y = points.Select(p => Math.Log(p.TraceEmpirical)).ToArray();
        double slope = MathNet.Numerics.Fit.Line(x, y).B;
        return new StationaritySeed(seed, Rows(problem.Hessian), Rows(problem.GradientCovariance), points,
            points.Max(p => p.ErrorOu), points.Max(p => p.ErrorExact), slope);
    }

    static double[][] Rows(Matrix<double> m) => m.ToRowArrays();
}
