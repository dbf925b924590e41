using System.Globalization;
using System.Text.Json;
using LossLandscape.Reporting.Documents;
using LossLandscape.Runs;

namespace LossLandscape.Experiments.Reproduction;

/// <summary>
/// Builds report.html and report.md of a reproduction folder from its files alone: each section's state marker and
/// the files its <see cref="TalkSection.Read"/> reads. Rebuilding it never reruns anything.
/// </summary>
public static class TalkReport
{
    public const string VerdictRule =
        "Every claim is measured as one signed effect per replicate (a seed, a pair of models, a width), positive in the direction " +
        "the talk claims; the claim's text says what the effect is. The verdict follows one rule (Verdict.Of): reproduced when the " +
        "mean effect is positive and larger than two standard deviations across replicates; partly when the mean is positive but " +
        "within that noise (or there is one replicate); not reproduced when the mean is zero or negative. The report recomputes each " +
        "verdict from the effects stored in the run's files.";

    public static (string Html, string Markdown) Write(string root, Preset preset, IReadOnlyList<TalkSection> sections)
    {
        var doc = Build(root, preset, sections);
        var html = Path.Combine(root, "report.html");
        var markdown = Path.Combine(root, "report.md");
        HtmlReport.Write(doc, html);
        MarkdownReport.Write(doc, markdown);
        return (html, markdown);
    }

    public static ReportDocument Build(string root, Preset preset, IReadOnlyList<TalkSection> sections)
    {
        var states = sections.Select(s => SectionState.Read(root, s.Id)).ToList();
        var reportSections = sections.Zip(states, (section, state) => Section(root, preset, section, state)).ToList();
        var ran = states.OfType<SectionState>().ToList();
        var about = new List<ReportFact>
        {
            new("preset", preset.ToString().ToLowerInvariant()),
            new("machine", Recorded(ran, r => r.Machine, SectionState.ThisMachine)),
            new("device", string.Join(", ", ran.Select(s => s.Device).Distinct().DefaultIfEmpty("-"))),
            new("threads", string.Join(", ", ran.Select(s => s.Threads.ToString(CultureInfo.InvariantCulture)).Distinct().DefaultIfEmpty("-"))),
            new("commit", Recorded(ran, r => r.Commit, () => ProvenanceInfo.GitCommit)),
            new("libraries", Recorded(ran, r => r.Libraries, SectionState.TheseLibraries)),
            new("started", ran.Count == 0 ? "-" : ran.Min(s => s.Started).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)),
            new("run time", $"{Duration(ran.Sum(s => s.Seconds))} in all: " +
                string.Join(", ", sections.Zip(states, (s, st) => $"{s.Id} {(st is null ? "not run" : Duration(st.Seconds))}"))),
        };
        int claims = reportSections.Sum(s => s.Claims.Count);
        string Count(string label) => reportSections.Sum(s => s.Claims.Count(c => c.Verdict == label)).ToString(CultureInfo.InvariantCulture);
        var summary = $"The experiments of the talk \"Loss landscape in deep neural networks\" (D. Vetrov), run by landscape reproduce --preset " +
                      $"{preset.ToString().ToLowerInvariant()}: {claims} claims, {Count("reproduced")} reproduced, {Count("partly")} partly, " +
                      $"{Count("not reproduced")} not reproduced; {reportSections.Count(s => s.Status == SectionStatus.Failed)} of {reportSections.Count} sections failed." +
                      "\n\n" + VerdictRule +
                      (preset == Preset.Paper ? "" : "\n\nThe smoke and quick presets run on Fashion-MNIST subsets with small models on a CPU; the paper settings, and what they cost on one GPU, are in each section's notes.");
        return new ReportDocument("Loss landscape in deep neural networks: the talk, reproduced", summary, about, reportSections);
    }

    static ReportSection Section(string root, Preset preset, TalkSection section, SectionState? state)
    {
        var folder = Path.Combine(root, "sections", section.Id);
        var paper = new[] { "Paper scale (GPU costs are estimates unless marked measured): " + section.PaperScale };
        ReportSection Empty(SectionStatus status, string? failure) => new(section.Id, section.Title, section.Talk, status, failure, state?.Seconds ?? 0,
            Array.Empty<ReportClaim>(), Array.Empty<ReportFigure>(), Array.Empty<ReportTable>(), Array.Empty<ReportFact>(), Array.Empty<string>(), paper);
        switch (state?.Progress)
        {
            case null: return Empty(SectionStatus.NotRun, null);
            case SectionProgress.Running: return Empty(SectionStatus.Failed, "interrupted: the section started but did not finish; rerun the same command to resume it");
            case SectionProgress.Failed: return Empty(SectionStatus.Failed, state.Failure);
        }
        try
        {
            var f = section.Read(folder, preset);
            return new ReportSection(section.Id, section.Title, section.Talk, SectionStatus.Completed, null, state.Seconds,
                f.Claims.Select(Claim).ToList(), f.Figures.Select(x => x with { PngPath = Path.GetRelativePath(root, x.PngPath) }).ToList(),
                f.Tables, f.Settings, f.Commands, f.Notes.Concat(paper).ToList());
        }
        catch (Exception e) when (e is LandscapeException or IOException or JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return Empty(SectionStatus.Failed, $"its files could not be read: {e.Message}");
        }
    }

    public static ReportClaim Claim(Verdict v) => new(v.Claim, v.Label,
        $"effect {v.Mean.ToString("G3", CultureInfo.InvariantCulture)}{v.Unit}" +
        (v.Effects.Count > 1 ? $" +- {v.StandardDeviation.ToString("G2", CultureInfo.InvariantCulture)}" : "") +
        $" over {v.Effects.Count} {v.Replicate}{(v.Effects.Count == 1 ? "" : "s")}" +
        (v.Effects.Count > 1 ? $" ({string.Join(", ", v.Effects.Select(e => e.ToString("G3", CultureInfo.InvariantCulture)))})" : ""));

    static string Duration(double seconds) => seconds < 90 ? $"{seconds:F0} s" : $"{seconds / 60:F1} min";

    /// <summary>What the sections' markers recorded; markers written before the field existed fall back to where the report is built, said so.</summary>
    static string Recorded(IReadOnlyList<SectionState> states, Func<SectionState, string?> field, Func<string> here)
    {
        var values = states.Select(field).OfType<string>().Distinct().ToList();
        return values.Count > 0 ? string.Join("; ", values) : here() + " (where this report was built; the run did not record it)";
    }
}
