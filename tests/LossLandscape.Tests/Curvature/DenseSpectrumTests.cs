using LossLandscape.Curvature;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Curvature;

public class DenseSpectrumTests : IClassFixture<KnownSpectrum>
{
    readonly KnownSpectrum spectrum;
    readonly ITestOutputHelper output;

    public DenseSpectrumTests(KnownSpectrum spectrum, ITestOutputHelper output)
    {
        this.spectrum = spectrum;
        this.output = output;
    }

    [Fact]
    public void LanczosFindsTheClusteredTopFiveWithinFortySteps()
    {
        var result = Lanczos.TopEigenvalues(spectrum.Operator, new LanczosSettings(TopK: 5, MaxIterations: 40));
        output.WriteLine($"Lanczos top-5: {result.Iterations} iterations, {result.Products} products, converged={result.Converged}");
        output.WriteLine($"  values {string.Join(", ", result.Eigenvalues.Select(x => x.ToString("G10")))}");
        Assert.True(result.Converged);
        Assert.True(result.Iterations <= 40);
        Assert.Equal(result.Iterations, result.Products);
        for (int i = 0; i < 5; i++)
            Assert.True(Math.Abs(result.Eigenvalues[i] - KnownSpectrum.Top[i]) / KnownSpectrum.Top[i] < 1e-3,
                $"eigenvalue {i}: {result.Eigenvalues[i]} vs {KnownSpectrum.Top[i]}");
    }

    [Fact]
    public void LanczosRitzVectorsAreEigenvectors()
    {
        var result = Lanczos.TopEigenvalues(spectrum.Operator, new LanczosSettings(TopK: 2, MaxIterations: 80, Tolerance: 1e-8, ComputeVectors: true));
        using var vectors = result.RitzVectors!;
        Assert.Equal(new long[] { 2, KnownSpectrum.Dimension }, vectors.shape);
        for (int i = 0; i < 2; i++)
        {
            using var scope = NewDisposeScope();
            var y = vectors[i];
            Assert.Equal(1.0, y.norm().item<double>(), 8);
            double residual = (spectrum.Operator.Apply(y) - y * result.Eigenvalues[i]).norm().item<double>();
            Assert.True(residual < 1e-6, $"||Ay - theta y|| = {residual}");
        }
    }

    [Fact]
    public void SameSeedGivesBitIdenticalLanczos()
    {
        var settings = new LanczosSettings(TopK: 3, MaxIterations: 15, Seed: 7);
        var a = Lanczos.TopEigenvalues(spectrum.Operator, settings);
        var b = Lanczos.TopEigenvalues(spectrum.Operator, settings);
        var c = Lanczos.TopEigenvalues(spectrum.Operator, settings with { Seed = 8 });
        Assert.Equal(a.Tridiagonal.Alphas, b.Tridiagonal.Alphas);
        Assert.Equal(a.Tridiagonal.Betas, b.Tridiagonal.Betas);
        Assert.NotEqual(a.Tridiagonal.Alphas, c.Tridiagonal.Alphas);
    }

    [Fact]
    public void PowerIterationReachesTheTopEigenvalueWithMoreProducts()
    {
        var lanczos = Lanczos.TopEigenvalues(spectrum.Operator, new LanczosSettings(TopK: 1, MaxIterations: 100));
        var power = PowerIteration.TopEigenvalues(spectrum.Operator, new PowerIterationSettings(TopK: 1, MaxIterations: 3000, Tolerance: 1e-7));
        var pyHessianDefaults = PowerIteration.TopEigenvalues(spectrum.Operator);
        double Error(double x) => Math.Abs(x - KnownSpectrum.Top[0]) / KnownSpectrum.Top[0];
        output.WriteLine($"top eigenvalue 10: Lanczos {lanczos.Eigenvalues[0]:G10} (rel. err {Error(lanczos.Eigenvalues[0]):E2}) in {lanczos.Products} products");
        output.WriteLine($"  power iteration, tol 1e-7: {power.Eigenvalues[0]:G10} (rel. err {Error(power.Eigenvalues[0]):E2}) in {power.Products} products");
        output.WriteLine($"  power iteration, PyHessian defaults: {pyHessianDefaults.Eigenvalues[0]:G10} (rel. err {Error(pyHessianDefaults.Eigenvalues[0]):E2}) in {pyHessianDefaults.Products} products, converged={pyHessianDefaults.Converged[0]}");
        Assert.True(lanczos.Converged);
        Assert.True(Error(lanczos.Eigenvalues[0]) < 1e-3);
        Assert.True(power.Converged[0]);
        Assert.True(Error(power.Eigenvalues[0]) < 1e-3, $"power iteration: {power.Eigenvalues[0]}");
        Assert.True(power.Products > 3 * lanczos.Products, $"power {power.Products} vs Lanczos {lanczos.Products} products");
    }

    [Fact]
    public void PowerIterationDeflatesToTheSecondEigenvalue()
    {
        var power = PowerIteration.TopEigenvalues(spectrum.Operator, new PowerIterationSettings(TopK: 2, MaxIterations: 3000, Tolerance: 1e-7));
        using var vectors = power.Eigenvectors;
        Assert.Equal(new[] { power.Iterations[0] + power.Iterations[1] }, new[] { (int)power.Products });
        Assert.True(Math.Abs(power.Eigenvalues[1] - 9.9) / 9.9 < 1e-3, $"second eigenvalue {power.Eigenvalues[1]}");
        Assert.True(Math.Abs(vectors[0].dot(vectors[1]).item<double>()) < 1e-2);
    }

    [Fact]
    public void HutchinsonTraceIsWithinThreeStandardErrors()
    {
        var result = Hutchinson.Trace(spectrum.Operator, new HutchinsonSettings(MaxIterations: 100, Tolerance: 0, Seed: 3));
        // Rademacher probes: Var(v^T A v) = 2 (||A||_F^2 - sum A_ii^2).
        double exactSe = Math.Sqrt(2 * (spectrum.FrobeniusSquared - spectrum.DiagonalSquared) / result.Samples.Length);
        output.WriteLine($"Hutchinson: {result.Trace:G8} +- {result.StandardError:G3} (exact {spectrum.Trace:G8}, exact SE {exactSe:G3}), {result.Products} products");
        Assert.Equal(100, result.Samples.Length);
        Assert.Equal(100, result.Products);
        Assert.False(result.Converged);
        Assert.True(Math.Abs(result.Trace - spectrum.Trace) < 3 * result.StandardError);
        Assert.InRange(result.StandardError / exactSe, 0.7, 1.3);
    }

    [Fact]
    public void HutchinsonWithPyHessianDefaultsStopsOnTheRunningMean()
    {
        var result = Hutchinson.Trace(spectrum.Operator);
        output.WriteLine($"Hutchinson, PyHessian defaults: {result.Trace:G8} +- {result.StandardError:G3} after {result.Products} products (exact {spectrum.Trace:G8})");
        Assert.Equal(result.Samples.Length, result.Products);
        Assert.True(result.Converged);
        Assert.True(result.Samples.Length < 100);
        Assert.True(Math.Abs(result.Trace - spectrum.Trace) < 4 * result.StandardError);
    }

    [Fact]
    public void SpectralDensityIsAProbabilityDensityWithTheRightMean()
    {
        var density = SpectralDensity.Estimate(spectrum.Operator, new SpectralDensitySettings(Runs: 10, Iterations: 30, Seed: 5));
        Assert.Equal(300, density.Products);
        Assert.Equal(10, density.Nodes.Count);
        foreach (var w in density.Weights) Assert.Equal(1.0, w.Sum(), 10);

        // Top eigenvalues are outliers that Lanczos resolves: every run has a node at 10.
        foreach (var n in density.Nodes) Assert.True(Math.Abs(n.Max() - 10) < 1e-3, $"largest node {n.Max()}");

        var mean = density.Moment(1);
        double exact = spectrum.Trace / KnownSpectrum.Dimension;
        output.WriteLine($"SLQ: first moment {mean.Mean:G6} +- {mean.StandardError:G3} (exact {exact:G6}); second {density.Moment(2).Mean:G6} (exact {spectrum.FrobeniusSquared / KnownSpectrum.Dimension:G6})");
        Assert.True(Math.Abs(mean.Mean - exact) < 3 * mean.StandardError);
        var second = density.Moment(2);
        Assert.True(Math.Abs(second.Mean - spectrum.FrobeniusSquared / KnownSpectrum.Dimension) < 3 * second.StandardError);

        // Unnormalised on a grid wide enough to hold every Gaussian, the mixture integrates to 1 by itself.
        double sigma = 0.05;
        var wide = Enumerable.Range(0, 4001).Select(j => -2.0 + 14.0 * j / 4000).ToArray();
        Assert.Equal(1.0, SpectralDensity.Integrate(wide, density.Density(wide, sigma, normalize: false)), 4);

        var grid = density.DefaultGrid();
        var normalised = density.Density(grid, density.DefaultSigma());
        Assert.Equal(1.0, SpectralDensity.Integrate(grid, normalised), 10);
        Assert.All(normalised, d => Assert.True(d >= 0));
    }

    [Fact]
    public void OperatorsRejectVectorsOfTheWrongShapeOrDtype()
    {
        using var wrongLength = zeros(new long[] { 3 }, dtype: ScalarType.Float64);
        using var wrongDtype = zeros(new long[] { KnownSpectrum.Dimension }, dtype: ScalarType.Float32);
        Assert.Throws<ArgumentException>(() => spectrum.Operator.Apply(wrongLength));
        Assert.Throws<ArgumentException>(() => spectrum.Operator.Apply(wrongDtype));
        using var asymmetric = tensor(new double[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        Assert.Throws<ArgumentException>(() => new DenseOperator(asymmetric));
    }
}
