using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Training;

/// <summary>
/// Per-epoch quantities of scale-invariant training (Lobacheva et al. 2021), added to metrics.csv beside the train
/// and test loss and accuracy:
/// <list type="bullet">
/// <item><c>si_norm</c>: rho = ||w_SI|| at the end of the epoch.</item>
/// <item><c>effective_lr</c>: mean over the epoch's steps of eta / rho^2, rho taken at the start of each step.</item>
/// <item><c>effective_grad_norm</c>: mean over the epoch's steps of ||g_SI|| * rho, g_SI the mini-batch gradient of the
/// loss (without weight decay) over the scale-invariant parameters, rho at the start of the step: the gradient norm the
/// same function has with its weights on the unit sphere.</item>
/// <item><c>si_grad_norm</c>: mean over the epoch's steps of ||g_SI||.</item>
/// </list>
/// Sums stay on the device and are read once per epoch. Needs an <see cref="IScaleInvariantModel"/>.
/// </summary>
public sealed class ScaleInvariantMetrics : ITrainingCallback, IDisposable
{
    public const string NormColumn = "si_norm";
    public const string EffectiveLearningRateColumn = "effective_lr";
    public const string EffectiveGradientNormColumn = "effective_grad_norm";
    public const string GradientNormColumn = "si_grad_norm";

    ScaleInvariantGroup? group;
    Tensor? rho, effectiveGradientSum, gradientSum, effectiveLearningRateSum;
    int steps;

    public void OnStart(Trainer trainer)
    {
        group = ScaleInvariantGroup.Of(trainer.Model);
        Reset();
    }

    public void OnStep(Trainer trainer, in StepInfo step)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var gradient = group!.GradientNormTensor();
        effectiveGradientSum!.add_(gradient.mul(rho!));
        gradientSum!.add_(gradient);
        effectiveLearningRateSum!.add_(rho!.pow(2).reciprocal().mul(step.LearningRate));
        steps++;
        // The weights after this step (and after any projection onto the sphere) are those the next step starts from.
        rho!.copy_(group.NormTensor());
    }

    public void OnEpoch(Trainer trainer, EpochEnd epoch)
    {
        int n = Math.Max(steps, 1);
        epoch.Extra[NormColumn] = rho!.ToDouble();
        epoch.Extra[EffectiveLearningRateColumn] = effectiveLearningRateSum!.ToDouble() / n;
        epoch.Extra[EffectiveGradientNormColumn] = effectiveGradientSum!.ToDouble() / n;
        epoch.Extra[GradientNormColumn] = gradientSum!.ToDouble() / n;
        Reset();
    }

    public void OnEnd(Trainer trainer, TrainingResult result) => Dispose();

    void Reset()
    {
        Dispose();
        var device = group!.Parameters[0].Parameter.device;
        rho = group.NormTensor().DetachFromDisposeScope();
        effectiveGradientSum = zeros(Array.Empty<long>(), ScalarType.Float64, device).DetachFromDisposeScope();
        gradientSum = zeros(Array.Empty<long>(), ScalarType.Float64, device).DetachFromDisposeScope();
        effectiveLearningRateSum = zeros(Array.Empty<long>(), ScalarType.Float64, device).DetachFromDisposeScope();
        steps = 0;
    }

    public void Dispose()
    {
        foreach (var t in new[] { rho, effectiveGradientSum, gradientSum, effectiveLearningRateSum }) t?.Dispose();
        rho = effectiveGradientSum = gradientSum = effectiveLearningRateSum = null;
    }
}
