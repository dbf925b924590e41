using LossLandscape.Curvature;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Curvature;

/// <summary>
/// A float64 symmetric matrix Q diag(lambda) Q^T of dimension 2,000 with a known spectrum: a cluster of top
/// eigenvalues (hard for power iteration), a bulk in [0, 1] and a few negatives. Built once per test class.
/// </summary>
public sealed class KnownSpectrum : IDisposable
{
    public const int Dimension = 2000;
    public static readonly double[] Top = { 10, 9.9, 9.8, 9.5, 9 };
    public static readonly double[] Negatives = { -0.5, -0.3, -0.2, -0.1, -0.05 };

    public KnownSpectrum()
    {
        var random = new Random(1234);
        var bulk = Enumerable.Range(0, Dimension - Top.Length - Negatives.Length).Select(_ => random.NextDouble());
        Eigenvalues = Top.Concat(bulk).Concat(Negatives).OrderByDescending(x => x).ToArray();

        using var scope = NewDisposeScope();
        using var generator = new Generator(42, CPU);
        var gaussian = randn(new long[] { Dimension, Dimension }, dtype: ScalarType.Float64, generator: generator);
        var (q, _) = linalg.qr(gaussian);
        var lambda = tensor(Eigenvalues, dtype: ScalarType.Float64);
        var matrix = q.mul(lambda.unsqueeze(0)).mm(q.t());
        // Rounding leaves Q D Q^T a hair asymmetric; symmetrise so the operator is exactly symmetric.
        matrix = matrix.add(matrix.t()).mul_(0.5);
        Operator = new DenseOperator(matrix);
        FrobeniusSquared = Eigenvalues.Sum(x => x * x);
        DiagonalSquared = matrix.diagonal().square().sum().item<double>();
    }

    /// <summary>Exact eigenvalues, descending.</summary>
    public double[] Eigenvalues { get; }

    public double Trace => Eigenvalues.Sum();

    public double FrobeniusSquared { get; }

    public double DiagonalSquared { get; }

    /// <summary>Shared by the tests of a class: read <see cref="DenseOperator.Products"/> as a difference.</summary>
    public DenseOperator Operator { get; }

    public void Dispose() => Operator.Dispose();
}
