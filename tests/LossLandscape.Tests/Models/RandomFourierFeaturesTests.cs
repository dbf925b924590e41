using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Models;

/// <summary>Random Fourier features: the kernel they approximate, the bandwidth heuristic, and the minimum-norm fit against a float64 pseudo-inverse.</summary>
public class RandomFourierFeaturesTests
{
    [Theory]
    [InlineData(100, 30)]  // far more samples than features: least squares by the normal equations
    [InlineData(50, 30)]   // more samples than features: least squares through the SVD
    [InlineData(40, 40)]   // square
    [InlineData(30, 50)]   // more features than samples: interpolation with minimum norm, through the SVD
    [InlineData(30, 80)]   // far more features than samples: the same through phi phi^T
    public void MinimumNormFitEqualsThePseudoInverse(int samples, int features)
    {
        var generator = new Generator(7);
        using var phi = randn(samples, features, dtype: ScalarType.Float64, generator: generator);
        using var y = randn(samples, 3, dtype: ScalarType.Float64, generator: generator);
        using var fit = RandomFourierFeatures.MinimumNormFit(phi, y);
        using var reference = linalg.pinv(phi).matmul(y);
        Assert.True(fit.sub(reference).norm().item<double>() < 1e-9 * reference.norm().item<double>());
        if (features > samples)
        {
            // It interpolates, and adding any null-space direction makes the solution longer.
            Assert.True(phi.matmul(fit).sub(y).norm().item<double>() < 1e-9 * y.norm().item<double>());
            using var direction = randn(features, 3, dtype: ScalarType.Float64, generator: generator);
            using var projector = eye(features, dtype: ScalarType.Float64).sub(linalg.pinv(phi).matmul(phi));
            using var other = fit.add(projector.matmul(direction));
            Assert.True(phi.matmul(other).sub(y).norm().item<double>() < 1e-8 * y.norm().item<double>());
            Assert.True(other.norm().item<double>() > fit.norm().item<double>() + 1e-6);
        }
    }

    [Fact]
    public void FeaturesApproximateTheGaussianKernel()
    {
        using var x = tensor(new double[,] { { 0, 0 }, { 1, 0 }, { 0, 2 } });
        using var rff = new RandomFourierFeatures(2, 200_000, bandwidth: 1.5, seed: 3);
        using var phi = rff.Transform(x);
        using var gram = phi.matmul(phi.transpose(0, 1));
        double[,] distances2 = { { 0, 1, 4 }, { 1, 0, 5 }, { 4, 5, 0 } };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.InRange(gram[i, j].item<double>() - Math.Exp(-distances2[i, j] / (2 * 1.5 * 1.5)), -0.01, 0.01); // Monte Carlo error ~ 0.002
    }

    [Fact]
    public void BandwidthIsTheMedianPairwiseDistance()
    {
        // Distances 3, 4 and 5: the median is 4.
        using var x = tensor(new double[,] { { 0, 0 }, { 3, 0 }, { 0, 4 } });
        Assert.Equal(4.0, RandomFourierFeatures.MedianDistance(x), 12);
    }
}
