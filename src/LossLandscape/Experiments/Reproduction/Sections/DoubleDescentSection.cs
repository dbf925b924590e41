using System.Text.Json.Nodes;
using LossLandscape.Reporting.Documents;
using static LossLandscape.Experiments.Reproduction.ReportFiles;

namespace LossLandscape.Experiments.Reproduction.Sections;

/// <summary>Double descent (Belkin et al. 2019; Nakkiran et al. 2019): model-wise with label noise, and random Fourier features.</summary>
public sealed class DoubleDescentSection : TalkSection
{
    public override string Id => "double-descent";
    public override string Title => "Double descent";
    public override string Talk =>
        "Beyond the classical U-shaped risk curve, test risk rises towards the interpolation threshold and falls again for more " +
        "complex models. The effect is especially observable when there is label noise in the training data, and the peak of test " +
        "loss/error happens when the model reaches zero training error. (Calibration removes double descent: a statement about NLL, " +
        "since temperature scaling never changes the predicted class.)";
    public override string PaperScale =>
        "Nakkiran et al. (2019): CNN-k / ResNet-18-k, k = 1..64, on CIFAR-10 with 0-20% label noise, 4k epochs of Adam; the paper " +
        "preset: CNN-k k in {1..64} (14 widths) on 50k images, 1,000 epochs, 3 seeds: about 40 GPU-hours. Belkin et al. (2019): RFF on " +
        "10k MNIST images, N up to 10n: minutes on one GPU or CPU.";

    public override void Run(SectionContext context)
    {
        foreach (var axis in new[] { DescentAxis.Width, DescentAxis.Features })
        {
            var s = DoubleDescentSettings.For(context.Preset, axis) with { DataDir = context.DataDir };
            var name = axis == DescentAxis.Width ? "width" : "features";
            Step(context, name, $"experiment double-descent --axis {name}", s, s.SeedsOrDefault[0],
                run => DoubleDescent.Run(s, run, context.Device, context.RunSweep, context.Log));
        }
    }

    public override SectionFindings Read(string folder, Preset preset)
    {
        var width = Json(Path.Combine(folder, "width", "double-descent.json"));
        var features = Json(Path.Combine(folder, "features", "double-descent.json"));
        var claims = Verdicts(width, "model-wise (CNN-k width): ").Concat(Verdicts(features, "random Fourier features (N features): ")).ToList();
        var notes = Strings(width["findings"]).Select(f => "width: " + f).Concat(Strings(features["findings"]).Select(f => "features: " + f)).ToList();
        return new SectionFindings(claims,
            new[]
            {
                Figure(Path.Combine(folder, "width"), "errors", "CNN-k with 20% label noise: train and test error against width, the interpolation threshold marked"),
                Figure(Path.Combine(folder, "width"), "nll", "CNN-k: test NLL raw and calibrated (temperature fitted on a held-out half of the test set)"),
                Figure(Path.Combine(folder, "features"), "errors", "random Fourier features, minimum-norm fit: error against the number of features N (n marked)"),
                Figure(Path.Combine(folder, "features"), "mse", "random Fourier features: train and test squared loss against N"),
            },
            new[] { Summary(width, "CNN-k width", "model-wise, means +- sd over seeds"), FeaturesSummary(features) },
            Settings(Path.Combine(folder, "width"), "width.").Concat(Settings(Path.Combine(folder, "features"), "features.")).ToList(),
            new[] { $"landscape experiment double-descent --axis width {PresetOption(preset)} --jobs 2", $"landscape experiment double-descent --axis features {PresetOption(preset)}" },
            notes);
    }

    static ReportTable FeaturesSummary(JsonNode report) => new("random Fourier features with a minimum-norm fit, means over seeds",
        new[] { "N / n (features per training sample)", "seeds", "train error", "test error", "test MSE (one-hot)" },
        Items(report["summary"]).Select(r => (IReadOnlyList<string>)new[]
        {
            F(Number(r["x"])), F(Number(r["seeds"])), Percent(Number(r["train_error"])),
            $"{Percent(Number(r["test_error"]))} +- {Percent(Number(r["test_error_sd"]))}", F(Number(r["test_mse"])),
        }).ToList());

    static ReportTable Summary(JsonNode report, string axis, string caption) => new(caption,
        new[] { axis, "seeds", "train error", "test error", "test NLL", "calibrated test NLL" },
        Items(report["summary"]).Select(r => (IReadOnlyList<string>)new[]
        {
            F(Number(r["x"])), F(Number(r["seeds"])), Percent(Number(r["train_error"])),
            $"{Percent(Number(r["test_error"]))} +- {Percent(Number(r["test_error_sd"]))}",
            $"{F(Number(r["test_nll"]))} +- {F(Number(r["test_nll_sd"]), "G2")}", $"{F(Number(r["test_cnll"]))} +- {F(Number(r["test_cnll_sd"]), "G2")}",
        }).ToList());
}
