namespace LossLandscape.Experiments;

public enum VerdictKind { Reproduced, Partly, NotReproduced }

/// <summary>
/// The project's one rule for a claim measured over seeds: each seed gives a signed effect d_i (positive means the
/// claimed direction). Reproduced: mean(d) > 0 and mean(d) > 2 sd(d) (the effect has the claimed sign and exceeds
/// two standard deviations across seeds); partly: mean(d) > 0 only; not reproduced: mean(d) &lt;= 0, or NaN when an effect
/// could not be measured. With one seed
/// sd is undefined and the best verdict is "partly".
/// </summary>
/// <param name="Replicate">what one effect was measured on: a seed, or e.g. a width when each width's pool is one replicate</param>
public sealed record Verdict(string Claim, VerdictKind Kind, double Mean, double StandardDeviation, IReadOnlyList<double> Effects, string Unit, string Replicate = "seed")
{
    public static Verdict Of(string claim, IReadOnlyList<double> effects, string unit = "", string replicate = "seed")
    {
        if (effects.Count == 0) throw new ArgumentException("a verdict needs at least one measured effect");
        double mean = effects.Average();
        double sd = effects.Count > 1 ? Math.Sqrt(effects.Sum(e => (e - mean) * (e - mean)) / (effects.Count - 1)) : double.NaN;
        var kind = !(mean > 0) ? VerdictKind.NotReproduced // zero, negative, or not measurable (NaN)
            : effects.Count > 1 && mean > 2 * sd ? VerdictKind.Reproduced
            : VerdictKind.Partly;
        return new Verdict(claim, kind, mean, sd, effects, unit, replicate);
    }

    public string Describe() => $"{Claim}: {Label} (effect {Mean:G4}{Unit} +- {StandardDeviation:G3} over {Effects.Count} {Replicate}{(Effects.Count == 1 ? "" : "s")})";

    public string Label => Kind switch
    {
        VerdictKind.Reproduced => "reproduced",
        VerdictKind.Partly => "partly",
        _ => "not reproduced",
    };
}
