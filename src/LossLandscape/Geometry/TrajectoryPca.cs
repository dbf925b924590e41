using static TorchSharp.torch;

namespace LossLandscape.Geometry;

/// <summary>PCA of an optimisation trajectory (Li et al. 2018): directions, explained variance, and the path's coordinates.</summary>
public sealed record TrajectoryPcaResult(Tensor First, Tensor Second, double[] ExplainedVariance, double[][] Coordinates) : IDisposable
{
    public void Dispose()
    {
        First.Dispose();
        Second.Dispose();
    }
}

public static class TrajectoryPca
{
    /// <summary>
    /// The two principal directions of (theta_i - theta_final) over the checkpoints, unit-norm, and each
    /// checkpoint's coordinates (projections) in that plane centred at theta_final. The n x n Gram matrix is
    /// diagonalised instead of the n x D data matrix, since n (checkpoints) is tiny and D (parameters) huge.
    /// </summary>
    public static TrajectoryPcaResult Compute(IReadOnlyList<Tensor> trajectory, Tensor final)
    {
        if (trajectory.Count < 3) throw new LandscapeException($"PCA of a trajectory needs at least 3 checkpoints, got {trajectory.Count}");
        using var scope = NewDisposeScope();
        var m = stack(trajectory.Select(t => t.to(ScalarType.Float64).sub(final.to(ScalarType.Float64))).ToList());
        var gram = m.matmul(m.t());
        var (values, vectors) = linalg.eigh(gram);
        // eigh sorts ascending; the principal components are the last two.
        int n = (int)values.shape[0];
        double total = values.clamp_min(0).sum().item<double>();
        var directions = new List<Tensor>();
        var explained = new double[2];
        for (int k = 0; k < 2; k++)
        {
            var u = vectors[.., n - 1 - k];
            double lambda = Math.Max(values[n - 1 - k].item<double>(), 0);
            explained[k] = total > 0 ? lambda / total : 0;
            var d = m.t().matmul(u);
            d = d.div(d.norm().clamp_min(1e-300));
            directions.Add(d);
        }
        var coords = stack(directions).matmul(m.t()).t(); // [n, 2]
        var coordinates = Enumerable.Range(0, n).Select(i => new[] { coords[i, 0].item<double>(), coords[i, 1].item<double>() }).ToArray();
        var first = directions[0].to(final.dtype).MoveToOuterDisposeScope();
        var second = directions[1].to(final.dtype).MoveToOuterDisposeScope();
        return new TrajectoryPcaResult(first, second, explained, coordinates);
    }
}
