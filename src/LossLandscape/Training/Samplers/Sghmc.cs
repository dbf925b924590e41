using static TorchSharp.torch;

namespace LossLandscape.Training.Samplers;

/// <summary>
/// Stochastic gradient Hamiltonian Monte Carlo (Chen et al. 2014) in its SGD-with-momentum form, as cyclical SG-MCMC
/// uses it (Zhang et al. 2020): v = beta v - (eps/2) grad U + N(0, (1 - beta) eps T), theta += v, the noise only when
/// the schedule samples (an exploration step is SGD with momentum). Friction 1 - beta; beta = 0 is SGLD. For small steps
/// the iterates move like SGLD with step eps / (1 - beta). The gradient-noise correction term of SGHMC is taken as zero.
/// </summary>
public sealed class Sghmc : LangevinSampler
{
    readonly Tensor[] velocity;

    public Sghmc(IReadOnlyList<Tensor> parameters, ISamplerSchedule schedule, double momentum = 0.9, double temperature = 1, long seed = 0)
        : base(parameters, schedule, temperature, seed)
    {
        if (momentum is < 0 or >= 1) throw new LandscapeException($"SGHMC's momentum must lie in [0, 1), got {momentum}");
        Momentum = momentum;
        velocity = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>beta: the share of the velocity kept from one step to the next.</summary>
    public double Momentum { get; }

    protected override void Update(int index, Tensor parameter, Tensor gradient, double stepSize, bool sampling)
    {
        var v = velocity[index];
        v.mul_(Momentum).add_(gradient, alpha: -stepSize / 2);
        if (sampling && Temperature > 0) AddNoise(v, (1 - Momentum) * stepSize * Temperature);
        parameter.add_(v);
    }

    public override void Dispose()
    {
        foreach (var v in velocity) v.Dispose();
        base.Dispose();
    }
}
