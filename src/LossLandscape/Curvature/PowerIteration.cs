using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Curvature;

/// <summary>Eigenvalues found by power iteration, in the order found (largest magnitude first).</summary>
/// <param name="Eigenvalues">Rayleigh-quotient estimates, one per eigenvalue found.</param>
/// <param name="Iterations">Products spent on each eigenvalue.</param>
/// <param name="Products">Operator products used by this call.</param>
/// <param name="Converged">Whether each estimate met the tolerance before the iteration budget ran out.</param>
/// <param name="Eigenvectors">Unit eigenvector estimates as rows [k, n]; the caller owns them.</param>
/// <param name="Estimates">For each eigenvalue, its Rayleigh-quotient estimate after each product (for convergence studies).</param>
public sealed record PowerIterationResult(double[] Eigenvalues, int[] Iterations, long Products, bool[] Converged, Tensor Eigenvectors, double[][] Estimates);

/// <summary>
/// Power iteration with deflation by orthogonalisation, the algorithm of PyHessian's <c>hessian.eigenvalues</c>:
/// kept as the reference point against which Lanczos' cost is measured. Its stopping rule looks only at the change
/// of the estimate, so on close eigenvalues it can stop early on a value between them.
/// </summary>
public static class PowerIteration
{
    public static PowerIterationResult TopEigenvalues(ILinearOperator op, PowerIterationSettings? settings = null)
    {
        settings ??= new PowerIterationSettings();
        settings.Validate();
        int k = (int)Math.Min(settings.TopK, op.Dimension);
        long productsBefore = op.Products;
        using var generator = Probes.Generator(settings.Seed);
        using var _ = no_grad();

        var eigenvalues = new double[k];
        var iterations = new int[k];
        var converged = new bool[k];
        var history = Enumerable.Range(0, k).Select(_ => new List<double>()).ToArray();
        var found = new List<Tensor>();
        try
        {
            for (int e = 0; e < k; e++)
            {
                var v = Probes.Draw(ProbeDistribution.Gaussian, op.Dimension, op.DType, op.Device, generator).DetachFromDisposeScope();
                double? estimate = null;
                for (int i = 0; i < settings.MaxIterations; i++)
                {
                    using var scope = NewDisposeScope();
                    Deflate(v, found);
                    var hv = op.Apply(v);
                    double current = hv.dot(v).ToDouble();
                    history[e].Add(current);
                    iterations[e]++;
                    double norm = hv.norm().ToDouble();
                    if (norm > 0) v.copy_(hv.div_(norm));
                    if (estimate is { } previous && Math.Abs(previous - current) / (Math.Abs(previous) + 1e-6) < settings.Tolerance)
                    {
                        estimate = current;
                        converged[e] = true;
                        break;
                    }
                    estimate = current;
                    if (norm == 0) { converged[e] = true; break; } // v lies in the null space: the eigenvalue is 0
                }
                eigenvalues[e] = estimate ?? double.NaN;
                found.Add(v);
            }
            var rows = stack(found).DetachFromDisposeScope();
            return new PowerIterationResult(eigenvalues, iterations, op.Products - productsBefore, converged, rows, history.Select(h => h.ToArray()).ToArray());
        }
        finally
        {
            foreach (var t in found) t.Dispose();
        }
    }

    /// <summary>Removes the components along already-found eigenvectors and renormalises, in place.</summary>
    static void Deflate(Tensor v, IReadOnlyList<Tensor> found)
    {
        foreach (var u in found) v.add_(u, alpha: -v.dot(u).ToDouble());
        v.div_(v.norm());
    }
}
