using LossLandscape.Models;

namespace LossLandscape.Training;

/// <summary>
/// Training on the sphere (Kodryan et al. 2022): after every optimiser step the scale-invariant weights are rescaled
/// to norm <paramref name="Radius"/>, so the effective learning rate lr / Radius^2 stays what it was set to. Needs a
/// scale-invariant model, SGD and no weight decay (on the sphere weight decay would only rescale the effective
/// learning rate). A fresh run is put on the sphere before its first step.
/// </summary>
/// <param name="Radius">rho0, the norm the scale-invariant weights are held at.</param>
public sealed record SphereSettings(double Radius)
{
    public void Validate(OptimizerSettings optimizer)
    {
        if (!(Radius > 0) || double.IsInfinity(Radius)) throw new LandscapeException($"the sphere's radius must be positive, got {Radius}");
        if (optimizer.Kind != OptimizerKind.Sgd) throw new LandscapeException("training on the sphere needs SGD (Adam's effective learning rate does not scale as lr / rho^2)");
        if (optimizer.WeightDecay != 0) throw new LandscapeException("training on the sphere takes no weight decay (it would only rescale the effective learning rate)");
    }

    /// <summary>
    /// <paramref name="training"/> turned into training on the sphere at effective learning rate
    /// <paramref name="effectiveLearningRate"/>: rho0 is the model's current norm of scale-invariant weights,
    /// lr = ELR * rho0^2. The optimiser's other settings are kept; its weight decay must be 0.
    /// </summary>
    public static TrainSettings FixEffectiveLearningRate(TrainSettings training, LandscapeModel model, double effectiveLearningRate)
    {
        if (!(effectiveLearningRate > 0) || double.IsInfinity(effectiveLearningRate))
            throw new LandscapeException($"the effective learning rate must be positive, got {effectiveLearningRate}");
        double rho0 = ScaleInvariantGroup.Of(model).Norm();
        var optimizer = training.OptimizerOrDefault with { LearningRate = effectiveLearningRate * rho0 * rho0 };
        var sphere = new SphereSettings(rho0);
        sphere.Validate(optimizer);
        return training with { Optimizer = optimizer, Sphere = sphere };
    }
}
