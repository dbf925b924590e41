using static TorchSharp.torch;

namespace LossLandscape.Models;

/// <summary>
/// Random Fourier features of the Gaussian kernel k(x, y) = exp(-|x - y|^2 / (2 sigma^2)) (Rahimi &amp; Recht 2007):
/// phi(x) = sqrt(2 / N) cos(W x + b) with W ~ N(0, I / sigma^2) and b ~ U[0, 2 pi), so phi(x) . phi(y) -> k(x, y)
/// as N grows; fitted by minimum-norm least squares, the model of Belkin et al.'s double-descent figure. Float64.
/// </summary>
public sealed class RandomFourierFeatures : IDisposable
{
    readonly Tensor weights;   // [inputs, features]
    readonly Tensor offsets;   // [features]

    public int Features { get; }
    public double Bandwidth { get; }

    public RandomFourierFeatures(int inputs, int features, double bandwidth, int seed)
    {
        if (features < 1) throw new LandscapeException($"need at least one feature, got {features}");
        if (!(bandwidth > 0)) throw new LandscapeException($"the kernel bandwidth must be positive, got {bandwidth}");
        var generator = new Generator((ulong)seed);
        weights = randn(inputs, features, dtype: ScalarType.Float64, generator: generator).div_(bandwidth);
        offsets = rand(features, dtype: ScalarType.Float64, generator: generator).mul_(2 * Math.PI);
        Features = features;
        Bandwidth = bandwidth;
    }

    /// <summary>phi(x) for rows x of a [samples, inputs] matrix: [samples, features].</summary>
    public Tensor Transform(Tensor x)
    {
        using var scope = NewDisposeScope();
        var z = x.to(ScalarType.Float64).flatten(1).matmul(weights).add_(offsets);
        return z.cos_().mul_(Math.Sqrt(2.0 / Features)).MoveToOuterDisposeScope();
    }

    /// <summary>The median distance between distinct samples of a seeded subset of at most <paramref name="maxSamples"/> rows: the usual kernel bandwidth.</summary>
    public static double MedianDistance(Tensor x, int maxSamples = 1000, int seed = 0)
    {
        using var scope = NewDisposeScope();
        var rows = x.to(ScalarType.Float64).flatten(1);
        if (rows.shape[0] > maxSamples) rows = rows.index_select(0, randperm(rows.shape[0], generator: new Generator((ulong)seed))[..maxSamples]);
        long n = rows.shape[0];
        if (n < 2) throw new LandscapeException("the median distance needs at least two samples");
        var distances = cdist(rows, rows);
        var upper = distances.masked_select(ones(n, n, dtype: ScalarType.Bool).triu(1));
        return upper.median().item<double>();
    }

    /// <summary>
    /// The minimum-norm least-squares coefficients argmin |A|_F subject to minimising |phi A - Y|_F: [features, outputs].
    /// Near the interpolation threshold (features between half and twice the samples) phi is ill-conditioned and the
    /// fit goes through the SVD of phi (singular values below max(n, N) * eps * s_max count as zero, as LAPACK's gelsd
    /// does). Away from it the Gram matrix is well-conditioned (for i.i.d. features its condition number is about
    /// ((1 + sqrt(r)) / (1 - sqrt(r)))^2 with r the smaller-to-larger ratio, at most 34 here) and the same solution
    /// comes from a Cholesky solve of phi phi^T (more features than samples) or phi^T phi (fewer), a fraction of the
    /// SVD's cost; if the Cholesky factorisation fails the SVD is used.
    /// </summary>
    public static Tensor MinimumNormFit(Tensor phi, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var a = phi.to(ScalarType.Float64);
        var y = targets.to(ScalarType.Float64);
        long n = a.shape[0], features = a.shape[1];
        if (features >= 2 * n || 2 * features <= n)
        {
            bool wide = features >= 2 * n;
            var gram = wide ? a.matmul(a.transpose(0, 1)) : a.transpose(0, 1).matmul(a);
            var (factor, info) = linalg.cholesky_ex(gram);
            if (info.item<int>() == 0)
            {
                var solution = wide
                    ? a.transpose(0, 1).matmul(cholesky_solve(y, factor))                     // A = phi^T (phi phi^T)^-1 Y
                    : cholesky_solve(a.transpose(0, 1).matmul(y), factor);                      // A = (phi^T phi)^-1 phi^T Y
                return solution.MoveToOuterDisposeScope();
            }
        }
        var (u, s, vh) = linalg.svd(a, fullMatrices: false);
        double cutoff = Math.Max(n, features) * Math.Pow(2, -52) * s.max().item<double>();
        var inverse = where(s.gt(cutoff), s.reciprocal(), zeros_like(s));
        var coefficients = vh.transpose(0, 1).matmul(inverse.unsqueeze(1).mul(u.transpose(0, 1).matmul(y)));
        return coefficients.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        weights.Dispose();
        offsets.Dispose();
    }
}
