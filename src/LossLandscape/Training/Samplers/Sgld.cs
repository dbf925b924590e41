using static TorchSharp.torch;

namespace LossLandscape.Training.Samplers;

/// <summary>
/// Stochastic gradient Langevin dynamics (Welling &amp; Teh 2011): theta -= (eps/2) grad U, plus N(0, eps T) when the
/// schedule samples. With <see cref="PolynomialDecay"/> it is SGLD; with <see cref="CyclicalSchedule"/> it is cyclical
/// SGLD (Zhang et al. 2020), a plain gradient step in each cycle's exploration stage.
/// </summary>
public sealed class Sgld : LangevinSampler
{
    public Sgld(IReadOnlyList<Tensor> parameters, ISamplerSchedule schedule, double temperature = 1, long seed = 0)
        : base(parameters, schedule, temperature, seed) { }

    protected override void Update(int index, Tensor parameter, Tensor gradient, double stepSize, bool sampling)
    {
        parameter.add_(gradient, alpha: -stepSize / 2);
        if (sampling && Temperature > 0) AddNoise(parameter, stepSize * Temperature);
    }
}
