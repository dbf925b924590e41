using System.CommandLine;
using LossLandscape.Experiments.Probes;
using LossLandscape.Training;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape hessian`: top eigenvalues, trace and spectral density of a trained model's loss Hessian.</summary>
public static class HessianCommand
{
    static readonly Argument<string> Source = ProbeOptions.Source();
    static readonly Option<int> TopK = new("--top-k") { Description = "how many top eigenvalues", DefaultValueFactory = _ => 5 };
    static readonly Option<EigenMethod> Method = new("--method") { Description = "lanczos, power (PyHessian's) or both", DefaultValueFactory = _ => EigenMethod.Lanczos };
    static readonly Option<bool> NoTrace = new("--no-trace") { Description = "skip the Hutchinson trace" };
    static readonly Option<bool> NoDensity = new("--no-density") { Description = "skip the SLQ spectral density" };
    static readonly Option<int> MaxIterations = new("--max-iterations") { Description = "iteration limit of each method", DefaultValueFactory = _ => 100 };
    static readonly Option<double> Tolerance = new("--tol") { Description = "relative tolerance", DefaultValueFactory = _ => 1e-3 };
    static readonly Option<int> DensityIterations = new("--density-iterations") { Description = "Lanczos steps of each SLQ run", DefaultValueFactory = _ => 100 };
    static readonly Option<int> DensityRuns = new("--density-runs") { Description = "independent SLQ runs", DefaultValueFactory = _ => 1 };

    public static Command Create() => ProbeOptions.Command("hessian",
        "Hessian spectrum of a trained model: top-k eigenvalues, trace, spectral density (on fixed training samples, 4,096 by default).",
        Run, data: true, Source, TopK, Method, NoTrace, NoDensity, MaxIterations, Tolerance, DensityIterations, DensityRuns);

    static int Run(ParseResult p)
    {
        var device = GlobalOptions.Apply(p);
        using var source = ProbeOptions.Load(p, Source, device);
        var settings = new HessianSettings(p.GetValue(TopK), p.GetValue(Method), !p.GetValue(NoTrace), !p.GetValue(NoDensity),
            ProbeOptions.Data(p, DataPart.Train, 4096), MaxIterations: p.GetValue(MaxIterations), Tolerance: p.GetValue(Tolerance),
            DensityIterations: p.GetValue(DensityIterations), DensityRuns: p.GetValue(DensityRuns), Seed: p.GetValue(ProbeOptions.Seed));
        if (settings.TopK < 1) throw new LandscapeException($"--top-k must be at least 1, got {settings.TopK}");
        var output = ProbeOptions.Output(p, source, "hessian", "hessian", settings);
        var report = HessianProbe.Run(source, settings, output, device, Console.WriteLine);
        ProbeOptions.Complete(output);
        Console.WriteLine($"{report.Samples} samples, {report.Parameters:N0} parameters, loss {report.Loss:G5}, |grad| {report.GradientNorm:G3}, |w| {report.WeightNorm:G5}" +
                          (report.ScaleInvariantTopEigenvalue is { } si ? $", scale-invariant top eigenvalue (lambda |w|^2) {si:G5}" : "") +
                          $"; {report.Seconds:F1} s; wrote {output.File("hessian.json")}");
        return ExitCodes.Success;
    }
}
