using System.Text.Json;
using LossLandscape.Curvature;
using LossLandscape.Geometry;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments.Probes;

public enum EigenMethod { Lanczos, Power, Both }

/// <summary>
/// Hessian spectrum settings. Defaults: 4,096 training samples (PyHessian's users saw top eigenvalues from one
/// batch of 128 vary tenfold between runs; about 4k samples gave stable CIFAR-10 estimates), PyHessian's
/// iteration limits and tolerances.
/// </summary>
public sealed record HessianSettings(
    int TopK = 5,
    EigenMethod Method = EigenMethod.Lanczos,
    bool Trace = true,
    bool Density = true,
    ProbeData? Data = null,
    int BatchSize = 1024,
    int MaxIterations = 100,
    double Tolerance = 1e-3,
    int TraceIterations = 100,
    int DensityIterations = 100,
    int DensityRuns = 1,
    int Seed = 0)
{
    public ProbeData DataOrDefault => Data ?? new ProbeData(DataPart.Train, 4096);
}

public sealed record EigenEstimate(string Method, double[] Eigenvalues, long Products, int Iterations, bool Converged);

public sealed record HessianReport(
    string Checkpoint, long Samples, long Parameters, double Loss, double GradientNorm, double WeightNorm,
    EigenEstimate? Lanczos, EigenEstimate? Power, ConvergenceComparison? ConvergenceTop1, ConvergenceComparison? ConvergenceTopK, double? Trace, double? TraceStandardError, long? TraceProducts,
    double? DensityFirstMoment, bool BatchNorm, double? ScaleInvariantTopEigenvalue, double Seconds);

/// <summary>Top eigenvalues (Lanczos and/or power iteration), trace (Hutchinson) and spectral density (SLQ) of a trained model's loss Hessian.</summary>
public static class HessianProbe
{
    public static HessianReport Run(TrainedModel source, HessianSettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var split = source.LoadData(device);
        using var data = s.DataOrDefault.Select(split);
        var op = new HessianOperator(source.Model, data, s.BatchSize);
        double loss = op.Loss();
        using var gradient = op.Gradient();
        using var w = ParameterVector.Get(source.Model);
        double weightNorm = w.norm().ToDouble();
        EigenEstimate? lanczos = null, power = null;
        if (s.Method is EigenMethod.Lanczos or EigenMethod.Both)
        {
            long before = op.Products;
            var r = Lanczos.TopEigenvalues(op, new LanczosSettings(s.TopK, s.MaxIterations, s.Tolerance, s.Seed));
            lanczos = new EigenEstimate("lanczos", r.Eigenvalues, op.Products - before, r.Iterations, r.Converged);
            log?.Invoke($"lanczos: top {s.TopK} = [{string.Join(", ", r.Eigenvalues.Select(e => e.ToString("G5")))}] in {lanczos.Products} products");
        }
        if (s.Method is EigenMethod.Power or EigenMethod.Both)
        {
            long before = op.Products;
            var r = PowerIteration.TopEigenvalues(op, new PowerIterationSettings(s.TopK, s.MaxIterations, s.Tolerance, s.Seed));
            power = new EigenEstimate("power", r.Eigenvalues, op.Products - before, r.Iterations.Sum(), r.Converged.All(c => c));
            r.Eigenvectors.Dispose();
            log?.Invoke($"power iteration: top {s.TopK} = [{string.Join(", ", r.Eigenvalues.Select(e => e.ToString("G5")))}] in {power.Products} products");
        }
        ConvergenceComparison? top1 = null, topK = null;
        if (s.Method == EigenMethod.Both)
        {
            // Power iteration needs the eigenvalues one after another; Lanczos finds them together.
            foreach (var k in new[] { 1, s.TopK }.Distinct())
            {
                var c = EigenConvergence.TopEigenvalues(op, k, s.Tolerance, s.MaxIterations, 3 * s.MaxIterations, s.Seed);
                if (k == 1) top1 = c;
                if (k == s.TopK) topK = c;
                log?.Invoke($"products until the top {k} eigenvalue(s) are within {s.Tolerance:G2} of [{string.Join(", ", c.Reference.Select(r => r.ToString("G6")))}]: " +
                            $"Lanczos {c.LanczosProducts?.ToString() ?? "more than the budget"}, power iteration {c.PowerProducts?.ToString() ?? "more than the budget"}");
            }
        }
        double? trace = null, traceError = null;
        long? traceProducts = null;
        if (s.Trace)
        {
            long before = op.Products;
            var r = Hutchinson.Trace(op, new HutchinsonSettings(s.TraceIterations, s.Tolerance, s.Seed));
            (trace, traceError, traceProducts) = (r.Trace, r.StandardError, op.Products - before);
            log?.Invoke($"trace: {r.Trace:G5} ± {r.StandardError:G3} (Hutchinson, {traceProducts} products)");
        }
        double? firstMoment = null;
        if (s.Density)
        {
            var density = SpectralDensity.Estimate(op, new SpectralDensitySettings(s.DensityRuns, s.DensityIterations, s.Seed));
            firstMoment = density.Moment(1).Mean;
            var grid = density.DefaultGrid(2000);
            var values = density.Density(grid, density.DefaultSigma());
            GridFile.WriteCurve(output.File("density.csv"), new Curve(new GridColumn("eigenvalue", grid), new[] { new GridColumn("density", values) }));
            DensityPlot.Create("Hessian eigenvalue density (SLQ)", grid, values, "density").Save(output.File("density"));
            log?.Invoke($"density: {density.Nodes.Count} run(s) x {s.DensityIterations} Lanczos steps");
        }
        double? top = lanczos?.Eigenvalues.FirstOrDefault() ?? power?.Eigenvalues.FirstOrDefault();
        var report = new HessianReport(source.CheckpointPath, data.Count, op.Dimension, loss, gradient.norm().ToDouble(), weightNorm,
            lanczos, power, top1, topK, trace, traceError, traceProducts, firstMoment, source.Model.HasBatchNorm,
            source.Model.HasBatchNorm && top is { } t ? t * weightNorm * weightNorm : null, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(output.File("hessian.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }
}
