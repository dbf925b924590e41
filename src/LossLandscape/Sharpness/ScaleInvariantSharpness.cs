using LossLandscape.Curvature;
using LossLandscape.Data;
using LossLandscape.Models;
using LossLandscape.Training;

namespace LossLandscape.Sharpness;

/// <summary>How <see cref="ScaleInvariantSharpness"/> measures.</summary>
/// <param name="Samples">Size of the fixed training subset the Hessian is taken on (all of the set when smaller).</param>
/// <param name="Every">As a training callback: measure every this many epochs, and at the last one.</param>
/// <param name="MaxIterations">Lanczos steps at most (one Hessian-vector product each).</param>
/// <param name="Tolerance">Lanczos stops when the top Ritz value's relative residual estimate is below this.</param>
/// <param name="Seed">Seeds the subset and the Lanczos start vector (the same at every epoch, so epochs differ only in the weights).</param>
/// <param name="BatchSize">Samples per batch of the Hessian-vector products (the operator is the same matrix whatever this is).</param>
public sealed record ScaleInvariantSharpnessSettings(int Samples = 512, int Every = 1, int MaxIterations = 20, double Tolerance = 1e-2, int Seed = 0, int BatchSize = 512)
{
    public void Validate()
    {
        if (Samples < 1) throw new LandscapeException($"the sharpness subset needs at least one sample, got {Samples}");
        if (Every < 1) throw new LandscapeException($"sharpness must be measured every epoch or less often, got every {Every}");
        if (MaxIterations < 1 || BatchSize < 1) throw new LandscapeException("sharpness needs at least one Lanczos step and one sample per batch");
    }
}

/// <summary>The top Hessian eigenvalue of the training loss over the scale-invariant weights, their norm, and the product.</summary>
/// <param name="Converged">Whether Lanczos met its tolerance (if not, the value is a lower bound on the top eigenvalue).</param>
public sealed record ScaleInvariantSharpnessValue(double TopEigenvalue, double Norm, bool Converged, long Products)
{
    /// <summary>lambda_max * rho^2: unchanged when the scale-invariant weights (and BatchNorm statistics) are scaled.</summary>
    public double Sharpness => TopEigenvalue * Norm * Norm;
}

/// <summary>
/// Scale-invariant sharpness, for the memorisation / consolidation picture of the talk: the top eigenvalue of the
/// Hessian of the training loss with respect to the scale-invariant weights, times rho^2 = ||w_SI||^2. Scaling the
/// weights by c divides the Hessian by c^2, so lambda_max alone would follow the weight norm; the product measures the
/// width of the minimum on the sphere. The Hessian is that of <see cref="HessianOperator"/>, on a fixed training
/// subset in eval mode (BatchNorm with its running statistics, which scale with the weights), by Lanczos.
/// <para>
/// As a training callback it adds to metrics.csv, on the epochs it measures: <c>si_norm</c> (rho at the end of the
/// epoch), <c>si_top_eigenvalue</c> (lambda_max) and <c>si_sharpness</c> (lambda_max * rho^2). Needs a model whose
/// scale-invariant group is all of its trainable parameters (ConvNetSI, MLP-SI).
/// </para>
/// </summary>
public sealed class ScaleInvariantSharpness : ITrainingCallback, IDisposable
{
    public const string TopEigenvalueColumn = "si_top_eigenvalue";
    public const string SharpnessColumn = "si_sharpness";

    readonly Dataset subset;

    /// <param name="train">The training set; a fixed seeded subset of <see cref="ScaleInvariantSharpnessSettings.Samples"/> is kept.</param>
    public ScaleInvariantSharpness(Dataset train, ScaleInvariantSharpnessSettings? settings = null)
    {
        Settings = settings ?? new ScaleInvariantSharpnessSettings();
        Settings.Validate();
        subset = Sampling.Subset(train, Math.Min(Settings.Samples, train.Count), Settings.Seed);
    }

    public ScaleInvariantSharpnessSettings Settings { get; }

    /// <summary>The values measured so far, by epoch.</summary>
    public List<(int Epoch, ScaleInvariantSharpnessValue Value)> Measured { get; } = new();

    /// <summary>Measures once on <paramref name="data"/> (all of it).</summary>
    public static ScaleInvariantSharpnessValue Measure(LandscapeModel model, Dataset data, ScaleInvariantSharpnessSettings? settings = null)
    {
        settings ??= new ScaleInvariantSharpnessSettings();
        settings.Validate();
        var group = ScaleInvariantGroup.Of(model);
        if (!group.CoversAllParameters)
            throw new LandscapeException($"{model.Spec.Kind} has trainable parameters outside its scale-invariant group; the restricted Hessian is not implemented");
        var op = new HessianOperator(model, data, settings.BatchSize);
        var result = Lanczos.TopEigenvalues(op, new LanczosSettings(1, settings.MaxIterations, settings.Tolerance, settings.Seed));
        return new ScaleInvariantSharpnessValue(result.Eigenvalues[0], group.Norm(), result.Converged, result.Products);
    }

    public void OnEpoch(Trainer trainer, EpochEnd epoch)
    {
        if (epoch.Epoch % Settings.Every != 0 && epoch.Epoch != trainer.Settings.Epochs) return;
        var value = Measure(trainer.Model, subset, Settings);
        Measured.Add((epoch.Epoch, value));
        epoch.Extra[ScaleInvariantMetrics.NormColumn] = value.Norm;
        epoch.Extra[TopEigenvalueColumn] = value.TopEigenvalue;
        epoch.Extra[SharpnessColumn] = value.Sharpness;
    }

    public void Dispose() => subset.Dispose();
}
