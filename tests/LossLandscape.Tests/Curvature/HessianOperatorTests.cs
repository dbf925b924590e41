using LossLandscape.Curvature;
using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Curvature;

public class HessianOperatorTests
{
    const int Samples = 40;
    readonly ITestOutputHelper output;

    public HessianOperatorTests(ITestOutputHelper output) => this.output = output;

    /// <summary>20 inputs, 8 hidden ReLU units, 3 classes: 195 parameters, float64 unless asked otherwise.</summary>
    static LandscapeModel SmallMlp(bool batchNorm = false, bool float64 = true)
    {
        var model = ModelRegistry.Create(new ModelSpec("mlp", 8, 1, BatchNorm: batchNorm, InputChannels: 20, ImageSize: 1, Classes: 3), seed: 11);
        if (float64) model.to(ScalarType.Float64);
        return model;
    }

    static Dataset RandomData(ScalarType dtype = ScalarType.Float64, int seed = 5)
    {
        using var generator = new Generator((ulong)seed, CPU);
        var inputs = randn(new long[] { Samples, 20 }, dtype: ScalarType.Float64, generator: generator).to(dtype);
        var labels = randint(0, 3, new long[] { Samples }, dtype: ScalarType.Int64, generator: generator);
        return new Dataset("random", inputs, labels, 3);
    }

    static Tensor RandomVector(long dimension, int seed)
    {
        using var generator = new Generator((ulong)seed, CPU);
        return randn(new[] { dimension }, dtype: ScalarType.Float64, generator: generator);
    }

    static double RelativeError(Tensor actual, Tensor expected) =>
        (actual - expected).norm().item<double>() / expected.norm().item<double>();

    [Fact]
    public void ProductsMatchCentralDifferencesOfTheGradient()
    {
        using var model = SmallMlp();
        using var data = RandomData();
        var hessian = new HessianOperator(model, data, batchSize: 16);
        Assert.Equal(195, hessian.Dimension);
        using var w = ParameterVector.Get(model);
        const double h = 1e-5;
        for (int seed = 0; seed < 3; seed++)
        {
            using var scope = NewDisposeScope();
            var v = RandomVector(hessian.Dimension, seed);
            var hv = hessian.Apply(v);
            ParameterVector.Set(model, w + v * h);
            var plus = hessian.Gradient();
            ParameterVector.Set(model, w - v * h);
            var minus = hessian.Gradient();
            ParameterVector.Set(model, w);
            var difference = (plus - minus) / (2 * h);
            double error = RelativeError(hv, difference);
            output.WriteLine($"probe {seed}: ||Hv|| = {hv.norm().item<double>():G4}, relative error vs central difference {error:E2}");
            Assert.True(error < 1e-6, $"relative error {error}");
        }
        Assert.Equal(3, hessian.Products);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ProductsDoNotDependOnTheBatchSize(bool batchNorm)
    {
        using var model = SmallMlp(batchNorm);
        using var data = RandomData();
        using var v = RandomVector(model.ParameterCount, 1);
        using var whole = new HessianOperator(model, data, batchSize: Samples).Apply(v);
        foreach (int batchSize in new[] { 7, 1 })
        {
            using var batched = new HessianOperator(model, data, batchSize).Apply(v);
            Assert.True(RelativeError(batched, whole) < 1e-12, $"batch size {batchSize}: {RelativeError(batched, whole)}");
        }
        using var gradientWhole = new HessianOperator(model, data, Samples).Gradient();
        using var gradientBatched = new HessianOperator(model, data, 7).Gradient();
        Assert.True(RelativeError(gradientBatched, gradientWhole) < 1e-12);
        Assert.Equal(new HessianOperator(model, data, Samples).Loss(), new HessianOperator(model, data, 7).Loss(), 12);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LeavesModeParametersGradientsAndRunningStatisticsUnchanged(bool training)
    {
        using var model = SmallMlp(batchNorm: true);
        using var data = RandomData();
        model.train(training);
        using var before = ParameterVector.Get(model);
        var buffersBefore = model.named_buffers().Select(b => b.buffer.clone()).ToList();
        var hessian = new HessianOperator(model, data, batchSize: 16);
        using var v = RandomVector(hessian.Dimension, 2);
        using (var _ = hessian.Apply(v)) { }
        using (var _ = hessian.Gradient()) { }
        hessian.Loss();

        Assert.Equal(training, model.training);
        Assert.All(model.modules(), m => Assert.Equal(training, m.training));
        using var after = ParameterVector.Get(model);
        Assert.True(after.equal(before).all().item<bool>());
        Assert.All(model.parameters(), p => Assert.True(p.grad is null || p.grad.IsInvalid));
        var buffersAfter = model.named_buffers().Select(b => b.buffer).ToList();
        for (int i = 0; i < buffersBefore.Count; i++) Assert.True(buffersAfter[i].equal(buffersBefore[i]).all().item<bool>());
    }

    [Fact]
    public void LanczosAndHutchinsonMatchTheExplicitHessian()
    {
        using var model = SmallMlp();
        using var data = RandomData();
        var hessian = new HessianOperator(model, data, batchSize: Samples);
        using var scope = NewDisposeScope();
        // The explicit Hessian, column by column: H e_i.
        var identity = eye(hessian.Dimension, dtype: ScalarType.Float64);
        var columns = Enumerable.Range(0, (int)hessian.Dimension).Select(i => hessian.Apply(identity[i])).ToList();
        var matrix = stack(columns, 1);
        Assert.True((matrix - matrix.t()).abs().max().item<double>() < 1e-12);
        var exact = linalg.eigvalsh(matrix).data<double>().OrderByDescending(x => x).ToArray();
        double trace = matrix.trace().item<double>();

        long before = hessian.Products;
        var lanczos = Lanczos.TopEigenvalues(hessian, new LanczosSettings(TopK: 3, MaxIterations: 100, Tolerance: 1e-6));
        output.WriteLine($"MLP Hessian (195 parameters): top {string.Join(", ", exact.Take(3).Select(x => x.ToString("G8")))}; Lanczos {string.Join(", ", lanczos.Eigenvalues.Select(x => x.ToString("G8")))} in {lanczos.Products} products");
        Assert.True(lanczos.Converged);
        Assert.Equal(lanczos.Products, hessian.Products - before);
        for (int i = 0; i < 3; i++) Assert.True(Math.Abs(lanczos.Eigenvalues[i] - exact[i]) <= 1e-6 * Math.Abs(exact[0]), $"eigenvalue {i}: {lanczos.Eigenvalues[i]} vs {exact[i]}");

        var hutchinson = Hutchinson.Trace(hessian, new HutchinsonSettings(MaxIterations: 60, Tolerance: 0));
        output.WriteLine($"trace {trace:G6}; Hutchinson {hutchinson.Trace:G6} +- {hutchinson.StandardError:G3}");
        Assert.True(Math.Abs(hutchinson.Trace - trace) < 3 * hutchinson.StandardError);
    }

    [Fact]
    public void Float32InputsAreConvertedToTheModelsDtype()
    {
        using var model = SmallMlp();
        using var data32 = RandomData(ScalarType.Float32);
        using var data64 = new Dataset("random64", data32.Inputs.to(ScalarType.Float64), data32.Labels.clone(), 3);
        using var v = RandomVector(model.ParameterCount, 3);
        using var from32 = new HessianOperator(model, data32).Apply(v);
        using var from64 = new HessianOperator(model, data64).Apply(v);
        Assert.True(from32.equal(from64).all().item<bool>());
    }

    [Fact]
    public void Float32ModelGivesFloat32ProductsCloseToFloat64()
    {
        using var model32 = SmallMlp(float64: false);
        using var model64 = SmallMlp();
        using var data = RandomData(ScalarType.Float32);
        var hessian32 = new HessianOperator(model32, data);
        Assert.Equal(ScalarType.Float32, hessian32.DType);
        using var v = RandomVector(hessian32.Dimension, 4);
        using var v32 = v.to(ScalarType.Float32);
        using var product32 = hessian32.Apply(v32);
        using var product64 = new HessianOperator(model64, data).Apply(v);
        using var widened = product32.to(ScalarType.Float64);
        Assert.True(RelativeError(widened, product64) < 1e-4);

        // Lanczos keeps a float32 basis for a float32 operator; reorthogonalisation keeps it accurate anyway.
        var top32 = Lanczos.TopEigenvalues(hessian32, new LanczosSettings(TopK: 2, Tolerance: 1e-4));
        var top64 = Lanczos.TopEigenvalues(new HessianOperator(model64, data), new LanczosSettings(TopK: 2, Tolerance: 1e-8));
        Assert.True(top32.Converged);
        for (int i = 0; i < 2; i++) Assert.True(Math.Abs(top32.Eigenvalues[i] - top64.Eigenvalues[i]) < 1e-4 * top64.Eigenvalues[0]);
    }

    [Fact]
    public void RejectsWhatWouldAbortTheNativeGrad()
    {
        using var model = SmallMlp();
        using var data = RandomData();
        var hessian = new HessianOperator(model, data);
        using var wrongDtype = zeros(new[] { hessian.Dimension }, dtype: ScalarType.Float32);
        using var wrongShape = zeros(new long[] { hessian.Dimension, 1 }, dtype: ScalarType.Float64);
        Assert.Throws<ArgumentException>(() => hessian.Apply(wrongDtype));
        Assert.Throws<ArgumentException>(() => hessian.Apply(wrongShape));
        model.parameters().First().requires_grad = false;
        using var v = zeros(new[] { hessian.Dimension }, dtype: ScalarType.Float64);
        Assert.Throws<LandscapeException>(() => hessian.Apply(v));
        Assert.Throws<LandscapeException>(() => new HessianOperator(model, data));
    }
}
