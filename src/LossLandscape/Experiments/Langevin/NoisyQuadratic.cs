using LossLandscape.Training;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace LossLandscape.Experiments.Langevin;

/// <summary>
/// A finite sum whose minibatch gradient noise is known exactly: N per-sample losses
/// l_i(theta) = 1/2 (theta - c_i)^T H (theta - c_i) with sum_i c_i = 0, so that the mean loss is 1/2 theta^T H theta + const
/// and every per-sample gradient H (theta - c_i) scatters around the full gradient H theta by -H c_i, whatever theta is.
/// The per-sample gradient covariance is therefore C = H Cov(c) H (Cov the population covariance of the c_i), and a
/// minibatch of S samples drawn with replacement has gradient noise of covariance C / S exactly.
/// H = Q diag(curvatures) Q^T with a random rotation Q; c_i = B z_i with a random B and z_i ~ N(0, I), then centred, so C
/// is neither isotropic nor a multiple of H.
/// </summary>
public sealed class NoisyQuadratic : IDisposable
{
    readonly Tensor centres; // [N, d], float64
    readonly Tensor hessian; // [d, d], float64

    NoisyQuadratic(Matrix<double> h, Matrix<double> c)
    {
        Hessian = h;
        var mean = c.ColumnSums() / c.RowCount;
        var centred = c - Matrix<double>.Build.Dense(c.RowCount, c.ColumnCount, (_, j) => mean[j]);
        var spread = centred.TransposeThisAndMultiply(centred) / c.RowCount;
        GradientCovariance = h * spread * h;
        centres = tensor(centred.ToRowMajorArray(), dtype: ScalarType.Float64).reshape(c.RowCount, c.ColumnCount);
        hessian = tensor(h.ToRowMajorArray(), dtype: ScalarType.Float64).reshape(h.RowCount, h.ColumnCount);
    }

    /// <summary>A problem with the Hessian's eigenvalues <paramref name="curvatures"/> and <paramref name="samples"/> per-sample losses.</summary>
    public static NoisyQuadratic Create(IReadOnlyList<double> curvatures, int samples, int seed)
    {
        int d = curvatures.Count;
        if (d < 1 || curvatures.Any(l => !(l > 0)) || samples < 2) throw new LandscapeException("the quadratic needs positive curvatures and at least 2 samples");
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rotation = Matrix<double>.Build.Dense(d, d, (_, _) => Gaussian()).QR().Q;
        var h = rotation * Matrix<double>.Build.DenseOfDiagonalArray(curvatures.ToArray()) * rotation.Transpose();
        h = (h + h.Transpose()) / 2;
        var b = Matrix<double>.Build.Dense(d, d, (_, _) => Gaussian());
        var z = Matrix<double>.Build.Dense(samples, d, (_, _) => Gaussian());
        return new NoisyQuadratic(h, z * b.Transpose());
    }

    public Matrix<double> Hessian { get; }

    /// <summary>C: covariance of one sample's gradient around the full gradient.</summary>
    public Matrix<double> GradientCovariance { get; }

    public int Dimension => Hessian.RowCount;
    public long Samples => centres.shape[0];

    /// <summary>
    /// The empirical stationary covariance of constant-LR SGD (the library's <see cref="Sgd"/>, no momentum) with batch
    /// size <paramref name="batchSize"/> (drawn with replacement): <paramref name="chains"/> independent chains start at
    /// the minimum, run <paramref name="burnIn"/> steps, then every iterate of the next <paramref name="steps"/> is pooled.
    /// </summary>
    public Matrix<double> StationaryCovariance(double learningRate, int batchSize, int steps, int burnIn, int chains, int seed)
    {
        if (steps < 2 || burnIn < 0 || chains < 1 || batchSize < 1) throw new LandscapeException("need steps >= 2, burn-in >= 0, chains and batch size >= 1");
        int d = Dimension;
        using var oneThread = TorchRuntime.SingleThreaded();
        using var theta = zeros(new long[] { chains, d }, dtype: ScalarType.Float64);
        using var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, learningRate, Momentum: 0), new[] { ("theta", theta) });
        using var batches = new Generator((ulong)seed);
        using var outer = zeros(new long[] { d, d }, dtype: ScalarType.Float64);
        using var sum = zeros(new long[] { d }, dtype: ScalarType.Float64);
        var firstAxis = new long[] { 0 }; // not sum(0): a literal 0 converts to ScalarType and sums everything
        for (int step = 0; step < burnIn + steps; step++)
        {
            using var scope = NewDisposeScope();
            var index = randint(0, Samples, new long[] { chains * batchSize }, dtype: ScalarType.Int64, generator: batches);
            var batchMean = centres.index_select(0, index).view(chains, batchSize, d).mean(new long[] { 1 });
            // Each chain's minibatch gradient H (theta - mean c_batch), written where the optimiser reads it (no autograd
            // graph: the gradient is linear and known, and this loop runs for tens of thousands of steps).
            theta.grad = theta.sub(batchMean).matmul(hessian);
            optimizer.Step(learningRate);
            if (step < burnIn) continue;
            outer.addmm_(theta.t(), theta);
            sum.add_(theta.sum(firstAxis));
        }
        double count = (double)steps * chains;
        var second = Matrix<double>.Build.DenseOfRowMajor(d, d, outer.data<double>().ToArray()) / count;
        var mean = Vector<double>.Build.DenseOfArray(sum.data<double>().ToArray()) / count;
        return second - mean.OuterProduct(mean);
    }

    public void Dispose()
    {
        centres.Dispose();
        hessian.Dispose();
    }
}
