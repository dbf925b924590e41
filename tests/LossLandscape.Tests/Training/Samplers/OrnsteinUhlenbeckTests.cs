using LossLandscape.Experiments.Langevin;
using LossLandscape.Training.Samplers;
using MathNet.Numerics.LinearAlgebra;

namespace LossLandscape.Tests.Training.Samplers;

public class OrnsteinUhlenbeckTests
{
    [Fact]
    public void LyapunovSolutionsSatisfyTheirEquations()
    {
        var a = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, 0.3, 0 }, { 0.3, 0.6, 0.1 }, { 0, 0.1, 0.2 } });
        var q = Matrix<double>.Build.DenseOfArray(new[,] { { 2.0, 0.5, 0.1 }, { 0.5, 1.0, -0.2 }, { 0.1, -0.2, 0.4 } });
        var x = OrnsteinUhlenbeck.Lyapunov(a, q);
        Assert.True((a * x + x * a.Transpose() - q).FrobeniusNorm() < 1e-12);
        var b = Matrix<double>.Build.DenseIdentity(3) - 0.1 * a;
        var y = OrnsteinUhlenbeck.DiscreteLyapunov(b, q);
        Assert.True((b * y * b.Transpose() + q - y).FrobeniusNorm() < 1e-10);
    }

    [Fact]
    public void DiagonalCaseHasTheClosedForm()
    {
        // H = diag(l): Sigma_ij = (eta / S) C_ij / (l_i + l_j); the exact discrete one divides by l_i + l_j - eta l_i l_j instead.
        double[] l = [2.0, 0.5];
        var h = Matrix<double>.Build.DenseOfDiagonalArray(l);
        var c = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, 0.4 }, { 0.4, 3.0 } });
        double eta = 0.1;
        int s = 4;
        var ou = OrnsteinUhlenbeck.SgdCovariance(h, c, eta, s);
        var exact = OrnsteinUhlenbeck.SgdCovarianceExact(h, c, eta, s);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
            {
                Assert.Equal(eta / s * c[i, j] / (l[i] + l[j]), ou[i, j], 12);
                Assert.Equal(eta / s * c[i, j] / (l[i] + l[j] - eta * l[i] * l[j]), exact[i, j], 12);
            }
    }

    [Fact]
    public void NoisyQuadraticHasTheStatedGradientCovariance()
    {
        // C = H Cov(c) H must equal the covariance of the per-sample gradients H (theta - c_i) around their mean, at any theta.
        using var problem = NoisyQuadratic.Create([1.0, 0.3], 400, seed: 2);
        Assert.Equal(2, problem.Dimension);
        var h = problem.Hessian;
        Assert.True((h - h.Transpose()).FrobeniusNorm() < 1e-12);
        var eigenvalues = h.Evd().EigenValues.Select(e => e.Real).OrderBy(e => e).ToArray();
        Assert.Equal(0.3, eigenvalues[0], 10);
        Assert.Equal(1.0, eigenvalues[1], 10);
        var c = problem.GradientCovariance;
        Assert.True(c.Evd().EigenValues.All(e => e.Real > 0));
    }

    [Fact]
    public void SgdStationaryCovarianceMatchesTheOuPrediction()
    {
        // eta lambda_max = 0.05, so the OU limit is off by about 2.5% (the exact discrete equation has no such bias);
        // 256 chains x 300 units of OU time give a statistical error of a few percent.
        using var problem = NoisyQuadratic.Create([1.0, 0.3], 500, seed: 1);
        const double eta = 0.05;
        const int batch = 2;
        var empirical = problem.StationaryCovariance(eta, batch, steps: 6000, burnIn: 500, chains: 256, seed: 11);
        var ou = OrnsteinUhlenbeck.SgdCovariance(problem.Hessian, problem.GradientCovariance, eta, batch);
        var exact = OrnsteinUhlenbeck.SgdCovarianceExact(problem.Hessian, problem.GradientCovariance, eta, batch);
        double errorOu = OrnsteinUhlenbeck.RelativeFrobeniusError(ou, empirical);
        double errorExact = OrnsteinUhlenbeck.RelativeFrobeniusError(exact, empirical);
        Assert.True(errorOu < 0.15, $"OU prediction off by {errorOu:P1}: empirical {empirical}, predicted {ou}");
        Assert.True(errorExact < 0.10, $"exact discrete prediction off by {errorExact:P1}");
        // The scale: one SGD step's noise has covariance eta^2 C / S, so Sigma grows like eta / S, not eta^2 / S.
        Assert.InRange(empirical.Trace() / ou.Trace(), 0.85, 1.15);
    }
}
