using LossLandscape.Experiments.Langevin;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Training.Samplers;

public class GaussianGridMixtureTests
{
    [Fact]
    public void GradientIsTheDerivativeOfMinusLogDensity()
    {
        using var mixture = GaussianGridMixture.TwentyFive();
        Assert.Equal(25, mixture.Modes);
        double[,] points = { { 0.3, -0.2 }, { 1.0, 1.1 }, { -3.7, 4.2 }, { 2.0, -2.0 } };
        using var theta = tensor(points, dtype: ScalarType.Float64);
        using var gradient = mixture.Gradient(theta);
        var g = gradient.data<double>().ToArray();
        const double h = 1e-6;
        for (int i = 0; i < 4; i++)
        {
            double x = points[i, 0], y = points[i, 1];
            double dx = -(Math.Log(mixture.Density(x + h, y)) - Math.Log(mixture.Density(x - h, y))) / (2 * h);
            double dy = -(Math.Log(mixture.Density(x, y + h)) - Math.Log(mixture.Density(x, y - h))) / (2 * h);
            Assert.Equal(dx, g[2 * i], 4);
            Assert.Equal(dy, g[2 * i + 1], 4);
        }
        Assert.Equal(0, g[6], 10); // a centre
    }

    [Fact]
    public void CoverageCountsSamplesWithinTheRadius()
    {
        using var mixture = GaussianGridMixture.TwentyFive();
        // 3 samples at (0, 0), 1 at (2, 0.4), 1 between modes, 1 not finite.
        var x = new[] { 0.0, 0.1, -0.2, 2.0, 1.0, double.NaN };
        var y = new[] { 0.0, 0.1, 0.3, 0.4, 1.0, 0.0 };
        var c = mixture.Coverage(x, y, radius: 0.5, minSamples: 2);
        Assert.Equal(1, c.ModesFound);
        Assert.Equal(6, c.Samples);
        Assert.Equal(3, c.SamplesPerMode[12]); // (0, 0) is the 13th centre
        Assert.Equal(1, c.SamplesPerMode[17]); // (2, 0)
        Assert.Equal(2.0 / 6, c.OffModeShare, 12);
        double within = mixture.MassWithin(0.5);
        double tv = (Math.Abs(2.0 / 6 - (1 - within)) + Math.Abs(3.0 / 6 - within / 25) + Math.Abs(1.0 / 6 - within / 25) + 23 * within / 25) / 2;
        Assert.Equal(tv, c.TotalVariation, 12);
    }

    [Fact]
    public void ExactSamplesOfTheMixtureScoreNearZero()
    {
        using var mixture = GaussianGridMixture.TwentyFive();
        var random = new Random(5);
        var x = new List<double>();
        var y = new List<double>();
        for (int i = 0; i < 50000; i++)
        {
            var (cx, cy) = mixture.Centres[random.Next(25)];
            double r = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())), a = 2 * Math.PI * random.NextDouble();
            x.Add(cx + Math.Sqrt(mixture.Variance) * r * Math.Cos(a));
            y.Add(cy + Math.Sqrt(mixture.Variance) * r * Math.Sin(a));
        }
        var c = mixture.Coverage(x, y, 0.5, 10);
        Assert.Equal(25, c.ModesFound);
        Assert.True(c.TotalVariation < 0.03, $"occupancy distance {c.TotalVariation}");
    }
}
