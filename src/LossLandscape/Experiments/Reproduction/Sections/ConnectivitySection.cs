using System.Globalization;
using LossLandscape.Connectivity;
using LossLandscape.Reporting.Documents;
using LossLandscape.Runs;
using LossLandscape.Training;
using static LossLandscape.Experiments.Reproduction.ReportFiles;

namespace LossLandscape.Experiments.Reproduction.Sections;

/// <summary>
/// Mode connectivity (Garipov et al. 2018; Draxler et al. 2018), also of permuted minima, and weight matching
/// (Ainsworth et al. 2022): for each pair of independently trained models the segment, a trained Bezier curve and the
/// segment after matching; for each model the segment to a random permutation of itself.
/// </summary>
public sealed class ConnectivitySection : TalkSection
{
    /// <summary>Test error (1 point) by which a path counts as rising above its endpoints.</summary>
    const double Tolerance = 0.01;

    public override string Id => "connectivity";
    public override string Title => "Mode connectivity, also between permuted networks";
    public override string Talk =>
        "Global minima of the loss are connected: two independently trained networks are joined by a simple curve along which " +
        "the loss stays low, although the straight segment between them crosses a barrier. Mode connectivity is observed even for " +
        "minima obtained by random permutations of neurons; probably the global minima form a multi-dimensional manifold, and " +
        "after reaching zero train loss a drift within it is possible.";
    public override string PaperScale =>
        "Garipov et al. (2018): VGG-16, PreResNet-164, WRN-28-10 on CIFAR-10/100, curves trained 600 epochs; Ainsworth et al. (2022): " +
        "ResNet-20 (widths x1-x32) on CIFAR-10. The paper preset connects PreAct ResNet-18 (k = 16) models trained 60 epochs on " +
        "CIFAR-10 with a Bezier curve trained 50 epochs: ~1 GPU-hour for three pairs.";

    static int[] Seeds(Preset preset) => preset == Preset.Smoke ? new[] { 0, 1 } : new[] { 0, 1, 2 };

    static IEnumerable<(int A, int B)> Pairs(Preset preset)
    {
        var seeds = Seeds(preset);
        for (int i = 0; i < seeds.Length; i++)
            for (int j = i + 1; j < seeds.Length; j++) yield return (seeds[i], seeds[j]);
    }

    static ConnectSettings Connect(Preset preset, bool plane) => preset switch
    {
        Preset.Smoke => new(TGrid: "0:1:5", Plane: false, Training: new CurveTrainingSettings(Epochs: 1)),
        Preset.Quick => new(TGrid: "0:1:21", Plane: plane, PlaneGrid: "-0.2:1.2:15", PlaneSamples: 5000, TrainSamples: 10000, Training: new CurveTrainingSettings(Epochs: 10)),
        _ => new(Plane: plane, Training: new CurveTrainingSettings(Epochs: 50)),
    };

    public override void Run(SectionContext context)
    {
        var p = context.Preset;
        var folders = Seeds(p).ToDictionary(s => s, s => ReferenceModels.Ensure(context.Shared, p, s, context.DataDir, context.Device, context.Log));
        var samples = p == Preset.Quick ? 10000 : (int?)null;
        bool first = true;
        foreach (var (a, b) in Pairs(p))
        {
            using var ma = TrainedModel.Load(folders[a], context.Device);
            using var mb = TrainedModel.Load(folders[b], context.Device);
            var s = Connect(p, first) with { Seed = a };
            Step(context, $"connect-s{a}-s{b}", "connect", s, a, run => ModeConnectivity.Run(ma, mb, s, run, context.Device, context.Log));
            var m = new MatchSettings(TGrid: s.TGrid, TrainSamples: samples, Seed: a);
            // The aligned model is a run folder of its own (with model B's training settings); the step's run.json keeps the matching settings.
            Step(context, $"match-s{a}-s{b}", "match", m, a, run =>
            {
                var report = Rebasin.Match(ma, mb, m, RunDirectory.Create(run.File("aligned")), context.Device, context.Log);
                context.Log($"match s{a}-s{b}: train-loss barrier {report.SegmentBefore.TrainLossBarrier:G4} -> {report.SegmentAfter.TrainLossBarrier:G4}");
            });
            first = false;
        }
        foreach (var (seed, folder) in folders)
        {
            using var model = TrainedModel.Load(folder, context.Device);
            var permuted = RunDirectory.Create(context.Folder.File($"permuted-s{seed}"));
            Rebasin.Permute(model, 100 + seed, permuted);
            using var copy = TrainedModel.Load(permuted.Path, context.Device);
            var s = Connect(p, false) with { Curve = null, Seed = seed };
            Step(context, $"connect-s{seed}-permuted", "connect", s, seed, run => ModeConnectivity.Run(model, copy, s, run, context.Device, context.Log));
        }
    }

    public override SectionFindings Read(string folder, Preset preset)
    {
        var segment = new List<double>();
        var curve = new List<double>();
        var matched = new List<double>();
        var permuted = new List<double>();
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (a, b) in Pairs(preset))
        {
            var c = Json(Path.Combine(folder, $"connect-s{a}-s{b}", "connect.json"));
            var m = Json(Path.Combine(folder, $"match-s{a}-s{b}", "aligned", "match.json"));
            segment.Add(Number(c["segment"]?["excess_test_error"]) - Tolerance);
            curve.Add(Tolerance - Number(c["curve"]?["excess_test_error"]));
            matched.Add(Number(m["barrier_reduction"]) - 0.5);
            rows.Add(new[]
            {
                $"seeds {a} and {b}", Percent(Number(c["segment"]?["endpoint_mean_test_error"])), Percent(Number(c["segment"]?["worst_test_error"])),
                F(Number(c["segment"]?["train_loss_barrier"])), Percent(Number(c["curve"]?["worst_test_error"])), F(Number(c["curve"]?["train_loss_barrier"])),
                F(Number(m["segment_after"]?["train_loss_barrier"])), Percent(Number(m["segment_after"]?["worst_test_error"])),
                $"{F(Number(m["distance_before"]))} -> {F(Number(m["distance_after"]))}",
            });
        }
        foreach (var seed in Seeds(preset))
        {
            var c = Json(Path.Combine(folder, $"connect-s{seed}-permuted", "connect.json"));
            permuted.Add(Number(c["segment"]?["excess_test_error"]) - Tolerance);
            var errors = Items(c["base_test_errors"]).Select(e => Number(e)).Concat(new[] { double.NaN, double.NaN }).ToList();
            rows.Add(new[]
            {
                $"seed {seed} and its permutation", $"{Percent(errors[0])} / {Percent(errors[1])}", Percent(Number(c["segment"]?["worst_test_error"])),
                F(Number(c["segment"]?["train_loss_barrier"])), "-", "-", "-", "-", F(Number(c["distance"])),
            });
        }
        var claims = new[]
        {
            Verdict.Of($"the segment between two independently trained minima rises above them (worst test error minus the endpoints' mean, minus {Tolerance:P0})", segment, "", "pair"),
            Verdict.Of($"a trained Bezier curve connects them: its worst test error stays within {Tolerance:P0} of the endpoints' ({Tolerance:P0} minus the excess)", curve, "", "pair"),
            Verdict.Of($"a random permutation of a network is the same function far away: the segment to it rises (excess test error minus {Tolerance:P0})", permuted),
            Verdict.Of("weight matching removes most of the barrier (train-loss barrier reduction minus 50%)", matched, "", "pair"),
        };
        var (fa, fb) = Pairs(preset).First();
        var figures = new List<ReportFigure>
        {
            Figure(Path.Combine(folder, $"connect-s{fa}-s{fb}"), "paths", $"seeds {fa} and {fb}: train loss and test error along the segment and the Bezier curve"),
            Figure(Path.Combine(folder, $"match-s{fa}-s{fb}", "aligned"), "matching", $"seeds {fa} and {fb}: the segment before and after weight matching"),
            Figure(Path.Combine(folder, $"connect-s{fa}-permuted"), "paths", $"seed {fa} and a random permutation of its hidden units: the segment"),
        };
        if (preset != Preset.Smoke)
            figures.Insert(1, Figure(Path.Combine(folder, $"connect-s{fa}-s{fb}"), "plane", $"seeds {fa} and {fb}: train loss on the plane through both minima and the curve's bend"));
        var table = new ReportTable("segments, curves and matching (test error on the test set, barrier = train loss above the endpoints' line)",
            new[] { "pair", "endpoint test error", "segment worst", "segment barrier", "curve worst", "curve barrier", "matched barrier", "matched worst", "distance" }, rows);
        return new SectionFindings(claims, figures, new[] { table },
            Settings(ReferenceModels.FolderFor(folder, fa), "model.").Concat(Settings(Path.Combine(folder, $"connect-s{fa}-s{fb}"), "connect.")).Concat(Settings(Path.Combine(folder, $"match-s{fa}-s{fb}"), "match.")).ToList(),
            new[] { "landscape connect RUN_A RUN_B --curve bezier", "landscape match RUN_A RUN_B", "landscape permute RUN --seed K, then landscape connect RUN PERMUTED --curve linear" },
            Array.Empty<string>());
    }
}
