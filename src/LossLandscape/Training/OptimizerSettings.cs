namespace LossLandscape.Training;

public enum OptimizerKind { Sgd, Adam }

/// <summary>
/// Optimiser and its hyper-parameters. Defaults are the project's reference recipe (SGD, lr 0.01, momentum 0.9).
/// Weight decay is L2 added to the gradient, as torch.optim.SGD and torch.optim.Adam do.
/// </summary>
public sealed record OptimizerSettings(
    OptimizerKind Kind = OptimizerKind.Sgd,
    double LearningRate = 0.01,
    double Momentum = 0.9,
    bool Nesterov = false,
    double WeightDecay = 0,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-8)
{
    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new LandscapeException($"learning rate must be positive, got {LearningRate}");
        if (Momentum is < 0 or >= 1) throw new LandscapeException($"momentum must lie in [0, 1), got {Momentum}");
        if (Nesterov && Momentum == 0) throw new LandscapeException("Nesterov momentum needs --momentum > 0");
        if (WeightDecay < 0) throw new LandscapeException($"weight decay must be non-negative, got {WeightDecay}");
    }
}
