using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Curvature;

/// <summary>A trace estimate.</summary>
/// <param name="Trace">Mean of the samples v^T A v.</param>
/// <param name="StandardError">Sample standard deviation / sqrt(n); NaN with a single sample.</param>
/// <param name="Samples">Each probe's v^T A v, in order.</param>
/// <param name="Products">Operator products used (one per sample).</param>
/// <param name="Converged">The running mean met the tolerance before the probe budget ran out.</param>
public sealed record HutchinsonResult(double Trace, double StandardError, double[] Samples, long Products, bool Converged);

/// <summary>
/// Hutchinson's estimator: E[v^T A v] = tr(A) for probes with E[v v^T] = I. Stops like PyHessian's
/// <c>hessian.trace</c>, on the relative change of the running mean; the standard error says how far to trust it.
/// </summary>
public static class Hutchinson
{
    public static HutchinsonResult Trace(ILinearOperator op, HutchinsonSettings? settings = null)
    {
        settings ??= new HutchinsonSettings();
        settings.Validate();
        long productsBefore = op.Products;
        using var generator = Probes.Generator(settings.Seed);
        using var _ = no_grad();
        var samples = new List<double>();
        double mean = 0;
        bool converged = false;
        for (int i = 0; i < settings.MaxIterations; i++)
        {
            using var scope = NewDisposeScope();
            var v = Probes.Draw(settings.Probe, op.Dimension, op.DType, op.Device, generator);
            samples.Add(op.Apply(v).dot(v).ToDouble());
            double updated = samples.Average();
            // PyHessian compares against the previous mean starting from 0, so one sample never stops it.
            bool small = Math.Abs(updated - mean) / (Math.Abs(mean) + 1e-6) < settings.Tolerance;
            mean = updated;
            if (small) { converged = true; break; }
        }
        return new HutchinsonResult(mean, StandardError(samples), samples.ToArray(), op.Products - productsBefore, converged);
    }

    internal static double StandardError(IReadOnlyList<double> samples)
    {
        int n = samples.Count;
        if (n < 2) return double.NaN;
        double mean = samples.Average();
        double variance = samples.Sum(s => (s - mean) * (s - mean)) / (n - 1);
        return Math.Sqrt(variance / n);
    }
}
