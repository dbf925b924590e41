using static TorchSharp.torch;

namespace LossLandscape.Training.Samplers;

/// <summary>
/// A stochastic-gradient MCMC sampler over a set of parameter tensors. Each <see cref="Step(IReadOnlyList{Tensor})"/>
/// takes the gradient of U, the negative log posterior as estimated on a minibatch and rescaled to the full dataset
/// (-grad log p(theta) - (N/n) sum_i grad log p(x_i | theta)), and moves the parameters in place. Step sizes and the
/// sampling / exploration stages come from an <see cref="ISamplerSchedule"/>; the target is p(theta)^(1/T) for temperature T.
/// Noise is drawn from the sampler's own seeded CPU generator and moved to the parameters' device, so runs are reproducible
/// and draw the same noise on a CPU and a GPU (TorchSharp 0.107's Generator is a CPU generator whatever device it is given,
/// and CUDA's randn refuses it).
/// The same code samples a 2-D toy energy (a parameter tensor whose rows are independent chains) and a network.
/// </summary>
public abstract class LangevinSampler : IDisposable
{
    readonly Generator noise;

    protected LangevinSampler(IReadOnlyList<Tensor> parameters, ISamplerSchedule schedule, double temperature, long seed)
    {
        if (parameters.Count == 0) throw new LandscapeException("a sampler needs at least one parameter tensor");
        if (!(temperature >= 0) || double.IsInfinity(temperature)) throw new LandscapeException($"the temperature must be non-negative, got {temperature}");
        Parameters = parameters;
        Schedule = schedule;
        Temperature = temperature;
        noise = new Generator((ulong)seed);
    }

    public IReadOnlyList<Tensor> Parameters { get; }
    public ISamplerSchedule Schedule { get; }
    public double Temperature { get; }

    /// <summary>Steps taken so far: the index of the next step.</summary>
    public long StepsTaken { get; private set; }

    /// <summary>Whether the next step samples (adds noise) rather than explores.</summary>
    public bool NextStepSamples => Schedule.IsSampling(StepsTaken);

    /// <summary>A step with the gradients held in the parameters' .grad (after backward of the U estimate).</summary>
    public void Step() =>
        Step(Parameters.Select((p, i) => p.grad ?? throw new LandscapeException($"parameter {i} has no gradient; call backward on the U estimate first")).ToList());

    /// <summary>A step with the given gradients of U, one per parameter tensor and of its shape.</summary>
    public void Step(IReadOnlyList<Tensor> gradients)
    {
        if (gradients.Count != Parameters.Count) throw new ArgumentException($"{gradients.Count} gradients for {Parameters.Count} parameter tensors");
        double stepSize = Schedule.StepSize(StepsTaken);
        bool sampling = Schedule.IsSampling(StepsTaken);
        using var _ = no_grad();
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (!Parameters[i].shape.SequenceEqual(gradients[i].shape))
                throw new ArgumentException($"gradient {i} has shape [{string.Join(", ", gradients[i].shape)}], its parameter [{string.Join(", ", Parameters[i].shape)}]");
            using var scope = NewDisposeScope();
            Update(i, Parameters[i], gradients[i], stepSize, sampling);
        }
        StepsTaken++;
    }

    /// <summary>Moves parameter <paramref name="index"/> in place (inside no_grad and a dispose scope).</summary>
    protected abstract void Update(int index, Tensor parameter, Tensor gradient, double stepSize, bool sampling);

    /// <summary>Adds N(0, variance) noise, drawn from the sampler's generator, to <paramref name="target"/> in place.</summary>
    protected void AddNoise(Tensor target, double variance)
    {
        using var draw = randn(target.shape, dtype: target.dtype, generator: noise);
        if (target.device.type == DeviceType.CPU)
        {
            target.add_(draw, alpha: Math.Sqrt(variance));
            return;
        }
        using var moved = draw.to(target.device);
        target.add_(moved, alpha: Math.Sqrt(variance));
    }

    public virtual void Dispose()
    {
        noise.Dispose();
    }
}
