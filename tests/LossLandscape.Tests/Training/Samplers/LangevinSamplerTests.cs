using LossLandscape.Training.Samplers;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Training.Samplers;

public class LangevinSamplerTests
{
    const double Mean = 1.5, Variance = 0.5;

    /// <summary>Runs many chains of a 1-D Gaussian target U = (theta - mu)^2 / (2 s^2) and pools their samples after burn-in.</summary>
    static (double Mean, double Variance) SampleGaussian(Func<Tensor, LangevinSampler> create, int steps, int burnIn, int chains = 2000)
    {
        using var theta = zeros(chains, dtype: ScalarType.Float64);
        using var sampler = create(theta);
        double sum = 0, squares = 0;
        for (int k = 0; k < steps; k++)
        {
            using var scope = NewDisposeScope();
            sampler.Step(new[] { theta.sub(Mean).div(Variance) });
            if (k < burnIn) continue;
            sum += theta.sum().item<double>();
            squares += theta.pow(2).sum().item<double>();
        }
        double n = (double)(steps - burnIn) * chains, mean = sum / n;
        return (mean, squares / n - mean * mean);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void SgldSamplesTheMeanAndVarianceOfAGaussian(double temperature)
    {
        // eps = 0.01: the discretised chain's variance is s^2 T / (1 - eps / (4 s^2)), 0.5% above s^2 T; the relaxation time
        // is 2 s^2 / eps = 100 steps, so 2000 chains x 2000 kept steps hold about 20000 independent samples (standard error ~1%).
        var (mean, variance) = SampleGaussian(t => new Sgld(new[] { t }, new PolynomialDecay(0.01, 1, 0), temperature, seed: 3), 3000, 1000);
        Assert.Equal(Mean, mean, 0.03);
        Assert.InRange(variance / (Variance * temperature), 0.95, 1.06);
    }

    [Fact]
    public void SghmcSamplesTheMeanAndVarianceOfAGaussian()
    {
        // momentum 0.9 and eps = 0.001 move like SGLD with eps / (1 - beta) = 0.01.
        var (mean, variance) = SampleGaussian(t => new Sghmc(new[] { t }, new PolynomialDecay(0.001, 1, 0), momentum: 0.9, seed: 4), 3000, 1000);
        Assert.Equal(Mean, mean, 0.03);
        Assert.InRange(variance / Variance, 0.94, 1.06);
    }

    [Fact]
    public void DecayingSgldOnAGaussianEndsNearTheTarget()
    {
        // The schedule itself: a (b + t)^-0.55 from eps_0 = 0.02; late samples carry little discretisation bias.
        var (mean, variance) = SampleGaussian(t => new Sgld(new[] { t }, PolynomialDecay.FromInitial(0.02, 100, 0.55), seed: 5), 4000, 1500, 1000);
        Assert.Equal(Mean, mean, 0.04);
        Assert.InRange(variance / Variance, 0.92, 1.08);
    }

    [Fact]
    public void NoNoiseInTheExplorationStage()
    {
        // Zero gradients, cycles of 4 steps: steps 0, 1 explore, 2, 3 sample. SGLD must stand still while exploring;
        // SGHMC must only carry its velocity on (each displacement beta times the previous one), and both must move
        // by noise while sampling.
        var schedule = new CyclicalSchedule(0.1, 12, 3, ExplorationFraction: 0.5).Validated();
        const double beta = 0.5;
        foreach (bool momentum in new[] { false, true })
        {
            using var theta = ones(5, dtype: ScalarType.Float64);
            using var zero = zeros(5, dtype: ScalarType.Float64);
            using LangevinSampler sampler = momentum ? new Sghmc(new[] { theta }, schedule, beta, seed: 1) : new Sgld(new[] { theta }, schedule, seed: 1);
            var previous = zeros(5, dtype: ScalarType.Float64);
            for (int k = 0; k < 12; k++)
            {
                using var before = theta.clone();
                bool sampling = sampler.NextStepSamples;
                Assert.Equal(k % 4 >= 2, sampling);
                sampler.Step(new[] { zero });
                var moved = theta.sub(before);
                var carried = previous.mul(momentum ? beta : 0);
                if (sampling) Assert.False(moved.allclose(carried, rtol: 0, atol: 1e-12), $"step {k} sampled without noise");
                else Assert.True(moved.allclose(carried, rtol: 1e-12, atol: 1e-15), $"step {k} explored with noise");
                previous.Dispose();
                carried.Dispose();
                previous = moved;
            }
            previous.Dispose();
            Assert.Equal(12, sampler.StepsTaken);
        }
    }

    [Fact]
    public void ExplorationIsAPlainGradientStep()
    {
        var schedule = new CyclicalSchedule(0.2, 10, 1, ExplorationFraction: 0.5).Validated();
        using var theta = tensor(new[] { 1.0, -2.0 });
        using var gradient = tensor(new[] { 0.5, 0.25 });
        using var sgld = new Sgld(new[] { theta }, schedule);
        sgld.Step(new[] { gradient });
        Assert.Equal(new[] { 1.0 - 0.1 * 0.5, -2.0 - 0.1 * 0.25 }, theta.data<double>().ToArray());
    }

    [Fact]
    public void TheSameSeedGivesTheSameChain()
    {
        double[] Run(long seed)
        {
            using var theta = zeros(4, dtype: ScalarType.Float64);
            using var sampler = new Sgld(new[] { theta }, new PolynomialDecay(0.1, 1, 0), seed: seed);
            for (int k = 0; k < 5; k++)
            {
                using var g = theta.clone();
                sampler.Step(new[] { g });
            }
            return theta.data<double>().ToArray();
        }
        Assert.Equal(Run(7), Run(7));
        Assert.NotEqual(Run(7), Run(8));
    }

    [Fact]
    public void GradientsMustMatchTheParameters()
    {
        using var theta = zeros(3);
        using var sampler = new Sgld(new[] { theta }, new PolynomialDecay(0.1));
        using var wrong = zeros(4);
        Assert.Throws<ArgumentException>(() => sampler.Step(new[] { wrong }));
        Assert.Throws<LandscapeException>(() => sampler.Step());
        Assert.Throws<LandscapeException>(() => new Sgld(new[] { theta }, new PolynomialDecay(0.1), temperature: -1));
        Assert.Throws<LandscapeException>(() => new Sghmc(new[] { theta }, new PolynomialDecay(0.1), momentum: 1));
    }
}
