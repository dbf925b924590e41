namespace LossLandscape.Training.Samplers;

/// <summary>
/// The step size of a Langevin sampler at each step, and whether that step injects noise. Step sizes follow Welling &amp;
/// Teh (2011): a step of size eps moves theta by -(eps/2) grad U and, when sampling, adds N(0, eps T) noise, U being
/// the negative log posterior and T the temperature. Zhang et al. (2020) write alpha = eps/2 for the same update.
/// </summary>
public interface ISamplerSchedule
{
    /// <summary>eps at step <paramref name="step"/> (0-based).</summary>
    double StepSize(long step);

    /// <summary>Whether step <paramref name="step"/> (0-based) adds noise; false in an exploration stage, where the step is a plain gradient step.</summary>
    bool IsSampling(long step);
}

/// <summary>
/// SGLD's polynomially decaying step eps_t = a (b + t)^-gamma (Welling &amp; Teh 2011), t the 0-based step, with noise at
/// every step. Gamma in (0.5, 1] satisfies the Robbins-Monro conditions the paper asks for; gamma = 0 is a constant step.
/// </summary>
public sealed record PolynomialDecay(double A, double B = 1, double Gamma = 0.55) : ISamplerSchedule
{
    /// <summary>The schedule with b and gamma whose first step is <paramref name="initialStep"/> (a = eps_0 b^gamma).</summary>
    public static PolynomialDecay FromInitial(double initialStep, double b = 1, double gamma = 0.55) =>
        new PolynomialDecay(initialStep * Math.Pow(b, gamma), b, gamma).Validated();

    public double StepSize(long step) => A * Math.Pow(B + step, -Gamma);

    public bool IsSampling(long step) => true;

    public PolynomialDecay Validated()
    {
        if (!(A > 0) || double.IsInfinity(A)) throw new LandscapeException($"SGLD's a must be positive, got {A}");
        if (!(B > 0)) throw new LandscapeException($"SGLD's b must be positive, got {B}");
        if (Gamma is < 0 or > 1) throw new LandscapeException($"SGLD's gamma must lie in [0, 1], got {Gamma}");
        return this;
    }
}

/// <summary>
/// Cyclical SG-MCMC's cosine step (Zhang et al. 2020): with K steps in M cycles of L = ceil(K/M) steps, step k (0-based,
/// the paper's k - 1) has eps_k = eps_0/2 [cos(pi mod(k, L) / L) + 1]. Within a cycle, the steps whose position
/// r = mod(k, L) / L is below <see cref="ExplorationFraction"/> (the paper's beta) explore without noise; the rest sample.
/// </summary>
public sealed record CyclicalSchedule(double InitialStep, long TotalSteps, int Cycles, double ExplorationFraction = 0) : ISamplerSchedule
{
    public long CycleLength => CycleLengthOf(TotalSteps, Cycles);

    public double StepSize(long step) => InitialStep * Multiplier(step, TotalSteps, Cycles);

    /// <summary>r(k) = mod(k, L) / L in [0, 1): where step k lies in its cycle.</summary>
    public double CyclePosition(long step) => (double)(step % CycleLength) / CycleLength;

    public bool IsSampling(long step) => CyclePosition(step) >= ExplorationFraction;

    /// <summary>0-based index of the cycle step <paramref name="step"/> belongs to.</summary>
    public long Cycle(long step) => step / CycleLength;

    /// <summary>The cosine factor 1/2 [cos(pi mod(k, L) / L) + 1] alone, shared with <see cref="LrSchedule"/>'s cyclic schedule.</summary>
    public static double Multiplier(long step, long totalSteps, int cycles)
    {
        long length = CycleLengthOf(totalSteps, cycles);
        return 0.5 * (Math.Cos(Math.PI * (step % length) / length) + 1);
    }

    public CyclicalSchedule Validated()
    {
        if (!(InitialStep > 0) || double.IsInfinity(InitialStep)) throw new LandscapeException($"the initial step must be positive, got {InitialStep}");
        if (TotalSteps < 1 || Cycles < 1 || Cycles > TotalSteps) throw new LandscapeException($"need 1 <= cycles <= steps, got {Cycles} cycles in {TotalSteps} steps");
        if (ExplorationFraction is < 0 or >= 1) throw new LandscapeException($"the exploration fraction must lie in [0, 1), got {ExplorationFraction}");
        return this;
    }

    static long CycleLengthOf(long totalSteps, int cycles) => (totalSteps + cycles - 1) / cycles;
}
