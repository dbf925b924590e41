using LossLandscape.Reporting.Documents;
using static LossLandscape.Experiments.Reproduction.ReportFiles;

namespace LossLandscape.Experiments.Reproduction.Sections;

/// <summary>Minefields (Huang et al. 2019): poor global minima next to the SGD path.</summary>
public sealed class MinefieldSection : TalkSection
{
    public override string Id => "minefield";
    public override string Title => "Minefields in the loss landscape";
    public override string Talk =>
        "There are lots of poor global minima with almost zero train loss and arbitrarily poor validation loss. Many of them lie in " +
        "close vicinity to the optimisation path. SGD does not see them unless we start directly looking for poor minima.";
    public override string PaperScale =>
        "Huang et al. (2019): ResNet-18 / VGG on CIFAR-10 with a poisoned set of the same size; the paper preset trains PreAct " +
        "ResNet-18 (k = 16) on 25k CIFAR-10 images for 60 epochs and a poisoned run from every 10th epoch, 2 kinds x 3 seeds: " +
        "about 40 runs, 4-6 h on one GPU.";

    public override void Run(SectionContext context)
    {
        var s = MinefieldSettings.For(context.Preset) with { DataDir = context.DataDir };
        Step(context, "minefield", "experiment minefield", s, s.SeedsOrDefault[0], run => Minefield.Run(s, run, context.Device, context.Log));
    }

    public override SectionFindings Read(string folder, Preset preset)
    {
        var sub = Path.Combine(folder, "minefield");
        var report = Json(Path.Combine(sub, "minefield.json"));
        var rows = Items(report["seeds"]).Select(seed =>
        {
            var reached = Items(seed["bad_minima"]).Where(b => (bool?)b["reached_target"] == true).ToList();
            return (IReadOnlyList<string>)new[]
            {
                ((int?)seed["seed"] ?? 0).ToString(), Percent(Number(seed["good_test_accuracy"])),
                $"{reached.Count} / {Items(seed["bad_minima"]).Count()}",
                reached.Count == 0 ? "-" : $"{Percent(reached.Min(b => Number(b["test_accuracy"])))} - {Percent(reached.Max(b => Number(b["test_accuracy"])))}",
                reached.Count == 0 ? "-" : F(reached.Min(b => Number(b["distance_from_start"]))),
                F(Number(seed["path_displacement"])),
            };
        }).ToList();
        int first = (int?)Items(report["seeds"]).FirstOrDefault()?["seed"] ?? 0;
        var seedFolder = Path.Combine(sub, $"seed-{first}");
        var figures = new List<ReportFigure> { Figure(seedFolder, "minefield", $"seed {first}: the good SGD path and the poor minima reached from its checkpoints (PCA plane of the path)") };
        // The segment exists only when a poisoned run reached the target; its absence is itself a finding, stated in the notes.
        bool segment = File.Exists(Path.Combine(seedFolder, "segment-to-poor-minimum.png"));
        if (segment) figures.Add(Figure(seedFolder, "segment-to-poor-minimum", $"seed {first}: loss and error on the segment from the good model to the nearest poor minimum"));
        return new SectionFindings(Verdicts(report), figures,
            new[] { new ReportTable("per seed: the good model and the poor minima found next to its path",
                new[] { "seed", "good model test accuracy", "poisoned runs reaching the target", "their test accuracy", "nearest distance from start", "path displacement" }, rows) },
            Settings(sub), new[] { $"landscape experiment minefield {PresetOption(preset)}" },
            segment ? Array.Empty<string>() : new[] { $"seed {first}: no poisoned run reached the target accuracy, so there is no segment to a poor minimum to plot" });
    }
}
