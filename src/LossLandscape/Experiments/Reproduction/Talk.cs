using LossLandscape.Experiments.Reproduction.Sections;

namespace LossLandscape.Experiments.Reproduction;

/// <summary>The talk's experiments in the order of its slides.</summary>
public static class Talk
{
    public static IReadOnlyList<TalkSection> Sections { get; } = new TalkSection[]
    {
        new LearningRateSection(), new MinefieldSection(), new SurfaceSection(), new ConnectivitySection(),
        new DoubleDescentSection(), new ScaleInvarianceSection(), new LangevinSection(), new PowerLawSection(),
    };

    /// <summary>The sections named by --only (all when none), in the talk's order.</summary>
    public static IReadOnlyList<TalkSection> Select(IReadOnlyCollection<string>? only)
    {
        if (only is null || only.Count == 0) return Sections;
        var names = only.SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = names.Where(n => Sections.All(s => !s.Id.Equals(n, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
            throw new LandscapeException($"--only: unknown section {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the sections are {string.Join(", ", Sections.Select(s => s.Id))}");
        return Sections.Where(s => names.Contains(s.Id)).ToList();
    }
}
