using System.Globalization;
using LossLandscape.Experiments.Probes;
using LossLandscape.Reporting.Documents;
using LossLandscape.Training;
using static LossLandscape.Experiments.Reproduction.ReportFiles;

namespace LossLandscape.Experiments.Reproduction.Sections;

/// <summary>
/// Loss-surface slices and Hessian spectra (Li et al. 2018; PyHessian; Cohen et al. 2021): a 2-D filter-normalised slice
/// and the Hessian's top eigenvalues, trace and density at each seed's trained model, and the edge of stability.
/// </summary>
public sealed class SurfaceSection : TalkSection
{
    /// <summary>Classes of the data: the number of Hessian outliers the spectrum is expected to show.</summary>
    const int Classes = 10;

    public override string Id => "surfaces";
    public override string Title => "Loss-surface slices and Hessian spectra";
    public override string Talk =>
        "The noise in stochastic gradients prevents us from seeing small details of the loss: SGD finds wide minima, and a common " +
        "(unproven) belief is that wide minima generalise better. A 2-dimensional slice shows the minimum SGD found; the Hessian " +
        "spectrum of a classifier has a bulk near zero and about C outliers; under full-batch gradient descent the sharpness rises " +
        "to 2/eta and hovers there (the edge of stability).";
    public override string PaperScale =>
        "Li et al. (2018): ResNet-56 / VGG-9 on CIFAR-10, 51x51 slices with a full pass per point (about 4 h serial on one GPU); " +
        "PyHessian: ResNet-20 on CIFAR-10, top eigenvalues, trace and density on 4,096 images. The paper preset probes PreAct " +
        "ResNet-18 (k = 16) trained 60 epochs on CIFAR-10 per seed: ~15 GPU-minutes per model, slices and Hessian ~10 more.";

    static int[] Seeds(Preset preset) => preset == Preset.Smoke ? new[] { 0 } : new[] { 0, 1, 2 };

    static (string Grid, int SliceSamples, HessianSettings Hessian) Probes(Preset preset) => preset switch
    {
        Preset.Smoke => ("-1:1:7", 300, new HessianSettings(TopK: Classes + 2, Data: new ProbeData(DataPart.Train, 256), TraceIterations: 10, DensityIterations: 10)),
        Preset.Quick => ("-1:1:21", 2000, new HessianSettings(TopK: Classes + 2, Data: new ProbeData(DataPart.Train, 2048), TraceIterations: 30, DensityIterations: 40)),
        _ => ("-1:1:51", 10000, new HessianSettings(TopK: Classes + 2, Data: new ProbeData(DataPart.Train, 4096))),
    };

    public override void Run(SectionContext context)
    {
        var (grid, sliceSamples, hessian) = Probes(context.Preset);
        foreach (var seed in Seeds(context.Preset))
        {
            var modelFolder = ReferenceModels.Ensure(context.Shared, context.Preset, seed, context.DataDir, context.Device, context.Log);
            using var model = TrainedModel.Load(modelFolder, context.Device);
            var slice = new SliceSettings(Grid: grid, Data: new ProbeData(DataPart.Test, sliceSamples), Seed: seed);
            Step(context, $"slice-s{seed}", "slice", slice, seed, run =>
            {
                var result = SliceProbe.Run(model, slice, run, context.Device);
                context.Log($"seed {seed}: 2-D filter slice, centre loss {result.CenterLoss:G4}, lowest {result.MinLoss:G4}");
            });
            Step(context, $"hessian-s{seed}", "hessian", hessian with { Seed = seed }, seed,
                run => HessianProbe.Run(model, hessian with { Seed = seed }, run, context.Device, context.Log));
            var eos = EdgeOfStabilitySettings.For(context.Preset) with { Seed = seed, DataDir = context.DataDir };
            Step(context, $"edge-of-stability-s{seed}", "experiment edge-of-stability", eos, seed, run => EdgeOfStability.Run(eos, run, context.Device, context.Log));
        }
    }

    public override SectionFindings Read(string folder, Preset preset)
    {
        var seeds = Seeds(preset);
        var basin = new List<double>();
        var outliers = new List<double>();
        var edge = new List<double>();
        var rows = new List<IReadOnlyList<string>>();
        foreach (var seed in seeds)
        {
            var (centre, border) = SliceLosses(Path.Combine(folder, $"slice-s{seed}", "surface.csv"));
            basin.Add(Math.Log10(Median(border) / centre));
            var h = Json(Path.Combine(folder, $"hessian-s{seed}", "hessian.json"));
            var eigen = Items(h["lanczos"]?["eigenvalues"]).Select(e => Number(e)).ToList();
            double meanEigenvalue = Number(h["trace"]) / Number(h["parameters"]);
            outliers.Add(eigen.Count >= Classes ? Math.Log10(eigen[Classes - 1] / meanEigenvalue) - 2 : double.NaN);
            var e = Json(Path.Combine(folder, $"edge-of-stability-s{seed}", "edge-of-stability.json"));
            double hover = Number(e["hover_median"]);
            edge.Add(e["first_reach"] is null || double.IsNaN(hover) ? -1 : 0.2 - Math.Abs(hover - 1));
            rows.Add(new[]
            {
                seed.ToString(CultureInfo.InvariantCulture), Percent(ReferenceModels.TestAccuracy(ReferenceModels.FolderFor(folder, seed))), F(centre), F(Median(border)),
                string.Join(", ", eigen.Take(Classes + 2).Select(x => F(x, "G3"))), F(Number(h["trace"])), F(meanEigenvalue, "G3"),
                F(Number(e["threshold"])), e["first_reach"] is null ? "never" : $"{(long)Number(e["first_reach"])}-{(long)Number(e["last_reach"])}",
                Percent(hover), Percent(Number(e["max_relative"])),
            });
        }
        var claims = new[]
        {
            Verdict.Of("the trained model sits in a basin of the 2-D filter-normalised slice (log10 of the median border loss over the centre loss)", basin),
            Verdict.Of($"the Hessian has a bulk near zero and at least C = {Classes} outliers (log10 of lambda_{Classes} over the mean eigenvalue trace/P, minus 2)", outliers),
            Verdict.Of("full-batch GD drives the top eigenvalue to 2/eta and it hovers there (0.2 minus |median in the phase / threshold - 1|; -1 when 90% is never reached)", edge),
        };
        var figures = new List<ReportFigure>();
        foreach (var seed in seeds.Take(1))
        {
            figures.Add(Figure(Path.Combine(folder, $"slice-s{seed}"), "surface", $"seed {seed}: test loss on a 2-D filter-normalised slice around the trained model"));
            figures.Add(Figure(Path.Combine(folder, $"hessian-s{seed}"), "density", $"seed {seed}: Hessian eigenvalue density (stochastic Lanczos quadrature)"));
            figures.Add(Figure(Path.Combine(folder, $"edge-of-stability-s{seed}"), "sharpness", $"seed {seed}: top Hessian eigenvalue under full-batch GD, with 2/eta"));
        }
        var table = new ReportTable("per seed: slice, Hessian spectrum and edge of stability",
            new[] { "seed", "model test accuracy", "centre loss", "median border loss", $"top {Classes + 2} eigenvalues", "trace", "mean eigenvalue", "2/eta", "steps at >= 90%", "median there", "max" }, rows);
        var p = PresetOption(preset);
        return new SectionFindings(claims, figures, new[] { table },
            Settings(ReferenceModels.FolderFor(folder, seeds[0]), "model.").Concat(Settings(Path.Combine(folder, $"slice-s{seeds[0]}"), "slice.")).Concat(Settings(Path.Combine(folder, $"hessian-s{seeds[0]}"), "hessian."))
                .Concat(Settings(Path.Combine(folder, $"edge-of-stability-s{seeds[0]}"), "edge-of-stability.")).ToList(),
            new[] { "landscape train --seed S  (the model, see the shared folder's run.json)", "landscape slice RUN --dims 2 --directions filter",
                "landscape hessian RUN --top-k 12", $"landscape experiment edge-of-stability {p} --seed S" },
            Array.Empty<string>());
    }

    /// <summary>The centre's loss (alpha = beta = 0, or the point nearest it) and the losses on the grid's border.</summary>
    static (double Centre, List<double> Border) SliceLosses(string csv)
    {
        if (!File.Exists(csv)) throw new LandscapeException($"{csv}: missing (the section did not finish)");
        var points = File.ReadLines(csv).Skip(1).Select(l => l.Split(',')).Select(f =>
            (A: double.Parse(f[0], CultureInfo.InvariantCulture), B: double.Parse(f[1], CultureInfo.InvariantCulture), Loss: double.Parse(f[2], CultureInfo.InvariantCulture))).ToList();
        var centre = points.MinBy(p => p.A * p.A + p.B * p.B);
        double aMin = points.Min(p => p.A), aMax = points.Max(p => p.A), bMin = points.Min(p => p.B), bMax = points.Max(p => p.B);
        var border = points.Where(p => p.A == aMin || p.A == aMax || p.B == bMin || p.B == bMax).Select(p => p.Loss).ToList();
        return (centre.Loss, border);
    }

    static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
