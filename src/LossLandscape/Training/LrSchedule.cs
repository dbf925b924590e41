namespace LossLandscape.Training;

public enum ScheduleKind { Constant, Step, Linear, Cosine, Cyclic }

/// <summary>
/// Learning-rate schedule as a multiplier of the base rate.
/// <list type="bullet">
/// <item>Constant.</item>
/// <item>Step: multiplied by <see cref="Factor"/> at each epoch in <see cref="Milestones"/> (0-based: the epoch from which it applies).</item>
/// <item>Linear (Garipov et al. 2018, Lobacheva et al. 2020): constant to 50% of the epochs, linear down to
/// <see cref="FinalFraction"/> at 90%, then constant; evaluated per epoch as their code does.</item>
/// <item>Cosine: 0.5 (1 + cos(pi p)) over the whole run, p the fractional epoch position, per step.</item>
/// <item>Cyclic (Zhang et al. 2020, cSG-MCMC): <see cref="Cycles"/> cosine cycles over the run, per step.</item>
/// </list>
/// </summary>
public sealed record LrSchedule(
    ScheduleKind Kind = ScheduleKind.Constant,
    int[]? Milestones = null,
    double Factor = 0.1,
    double FinalFraction = 0.01,
    int Cycles = 1)
{
    public void Validate(int epochs)
    {
        if (Kind == ScheduleKind.Step && (Milestones is null || Milestones.Length == 0))
            throw new LandscapeException("a step schedule needs at least one anneal epoch (--anneal-epoch)");
        if (Milestones is not null && Milestones.Any(m => m < 0 || m > epochs))
            throw new LandscapeException($"anneal epochs must lie in [0, {epochs}], got {string.Join(",", Milestones)}");
        if (Factor <= 0) throw new LandscapeException($"anneal factor must be positive, got {Factor}");
        if (Cycles < 1) throw new LandscapeException($"cycles must be at least 1, got {Cycles}");
    }

    /// <summary>The multiplier for step <paramref name="step"/> (0-based) of epoch <paramref name="epoch"/> (0-based).</summary>
    public double Multiplier(int epoch, int step, int stepsPerEpoch, int epochs)
    {
        switch (Kind)
        {
            case ScheduleKind.Constant:
                return 1;
            case ScheduleKind.Step:
                return Math.Pow(Factor, Milestones!.Count(m => epoch >= m));
            case ScheduleKind.Linear:
            {
                double t = (double)epoch / epochs;
                if (t <= 0.5) return 1;
                if (t <= 0.9) return 1 - (1 - FinalFraction) * (t - 0.5) / 0.4;
                return FinalFraction;
            }
            case ScheduleKind.Cosine:
            {
                double p = (epoch + (double)step / stepsPerEpoch) / epochs;
                return 0.5 * (1 + Math.Cos(Math.PI * p));
            }
            case ScheduleKind.Cyclic:
                return Samplers.CyclicalSchedule.Multiplier((long)epoch * stepsPerEpoch + step, (long)epochs * stepsPerEpoch, Cycles);
            default:
                throw new LandscapeException($"unknown schedule {Kind}");
        }
    }
}
