using System.Text.Json.Nodes;
using LossLandscape.Reporting.Documents;
using static LossLandscape.Experiments.Reproduction.ReportFiles;

namespace LossLandscape.Experiments.Reproduction.Sections;

/// <summary>Learning rate and the width of minima (Li, Wei & Ma 2019): the three regimes, then the patch toy.</summary>
public sealed class LearningRateSection : TalkSection
{
    public override string Id => "lr-regimes";
    public override string Title => "Learning rate and the width of minima";
    public override string Talk =>
        "Only after annealing does the large learning-rate model visibly outperform the small one. Smaller LR learns (memorises) " +
        "hard-to-fit patterns, larger LR learns easy-to-fit patterns, larger LR with annealing learns both; in the toy, a patch " +
        "that indicates the class is memorised early by the small LR. Larger LR corresponds to wider optima.";
    public override string PaperScale =>
        "Li, Wei & Ma (2019): WideResNet-16 on CIFAR-10 (patch-augmented for the toy), 30 epochs before annealing; the paper preset " +
        "uses PreAct ResNet-18 (k = 16) with BatchNorm on CIFAR-10, 60 epochs, 3 regimes x 3 seeds x 2 experiments: about 18 runs of " +
        "~10 GPU-minutes each, 3 h on one GPU.";

    public override void Run(SectionContext context)
    {
        foreach (var patched in new[] { false, true })
        {
            var name = patched ? "patch-toy" : "lr-regimes";
            var s = LrRegimesSettings.For(context.Preset, patched) with { DataDir = context.DataDir };
            Step(context, name, $"experiment {name}", s, s.SeedsOrDefault[0], run => LearningRateRegimes.Run(s, run, context.Device, context.Log));
        }
    }

    public override SectionFindings Read(string folder, Preset preset)
    {
        var claims = new List<Verdict>();
        var tables = new List<ReportTable>();
        var figures = new List<ReportFigure>();
        foreach (var (name, label) in new[] { ("lr-regimes", "three regimes"), ("patch-toy", "patch toy") })
        {
            var sub = Path.Combine(folder, name);
            var report = Json(Path.Combine(sub, "lr-regimes.json"));
            claims.AddRange(Verdicts(report, $"{label}: "));
            tables.Add(Outcomes(report, label));
            figures.Add(Figure(sub, "accuracy", $"{label}: clean test accuracy per epoch for small LR, large LR and large LR annealed (the anneal marked)"));
            if (name == "patch-toy") figures.Add(Figure(sub, "patch-only", "patch toy: accuracy on images that carry only the patch, per epoch"));
            figures.Add(Figure(sub, "slices", $"{label}: 1-D filter-normalised loss slices through the final minima"));
        }
        return new SectionFindings(claims, figures, tables,
            Settings(Path.Combine(folder, "lr-regimes"), "lr-regimes.").Concat(Settings(Path.Combine(folder, "patch-toy"), "patch-toy.")).ToList(),
            new[] { $"landscape experiment lr-regimes {PresetOption(preset)}", $"landscape experiment patch-toy {PresetOption(preset)}" },
            Array.Empty<string>());
    }

    static ReportTable Outcomes(JsonNode report, string label)
    {
        var rows = Items(report["outcomes"]).GroupBy(o => (string?)o["regime"] ?? "").Select(g => (IReadOnlyList<string>)new[]
        {
            g.Key.Replace('_', ' '), g.Count().ToString(),
            Percent(g.Average(o => Number(o["clean_test_accuracy"]))),
            Percent(g.Average(o => Number(o["patch_only_accuracy"]))),
            F(g.Average(o => Number(o["top_eigenvalue"]))),
            F(g.Average(o => Number(o["trace"]))),
            F(g.Average(o => Number(o["epsilon_sharpness"]))),
            F(g.Average(o => Number(o["width"]))),
        }).ToList();
        return new ReportTable($"{label}: final models, means over seeds",
            new[] { "regime", "seeds", "clean test accuracy", "patch-only accuracy", "top eigenvalue", "Hessian trace", "epsilon-sharpness", "width" }, rows);
    }
}
