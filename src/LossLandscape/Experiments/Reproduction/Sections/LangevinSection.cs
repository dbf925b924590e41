using LossLandscape.Experiments.Langevin;
using LossLandscape.Reporting.Documents;
using static LossLandscape.Experiments.Reproduction.ReportFiles;

namespace LossLandscape.Experiments.Reproduction.Sections;

/// <summary>SGD as Langevin sampling (Welling & Teh 2011; Mandt et al. 2017; Zhang et al. 2020).</summary>
public sealed class LangevinSection : TalkSection
{
    public override string Id => "langevin";
    public override string Title => "SGD as Langevin sampling";
    public override string Talk =>
        "When we do SGD we almost solve the Langevin SDE numerically: SGD returns samples from some implicit distribution induced " +
        "by the training likelihood rather than its mode. (One SGD step's noise has covariance eta^2 Sigma / S, so SGD is Langevin " +
        "dynamics at a temperature proportional to eta / S.) SGD-like methods return typical samples rather than the global mode; " +
        "the generalisation gap should be studied for such samples.";
    public override string PaperScale =>
        "Zhang et al. (2020): cyclical SG-MCMC on the 25-Gaussian toy and ResNet-18 on CIFAR-10/100 (200 epochs, 4 cycles); the " +
        "paper preset keeps the toys and samples a 784-256-256-10 MLP on 10k Fashion-MNIST images for 100 epochs, 5 seeds: measured " +
        "7 minutes on an H200 with 2 CPU threads (bench/gpu/paper-langevin.sh).";

    public override void Run(SectionContext context)
    {
        var s = LangevinSettings.For(context.Preset) with { DataDir = context.DataDir };
        Step(context, "langevin", "experiment langevin", s, s.SeedsOrDefault[0], run => LangevinSampling.Run(s, run, context.Device, context.Log));
    }

    public override SectionFindings Read(string folder, Preset preset)
    {
        var sub = Path.Combine(folder, "langevin");
        var report = Json(Path.Combine(sub, LangevinSampling.ReportFile));
        var toy = new ReportTable("25-Gaussian mixture: modes visited per chain and by all chains together, each sampler with its step tuned on the same budget",
            new[] { "sampler", "chosen step", "chains", "modes per chain", "modes, chains pooled" },
            Items(report["toy"]).Select(t => (IReadOnlyList<string>)new[]
            {
                (string?)t["name"] ?? "", F(Number(t["chosen_step"])), Items(t["chains"]).Count().ToString(), F(Number(t["mean_modes"])), F(Number(t["pooled_modes"])),
            }).ToList());
        var stationarity = new ReportTable("constant-LR SGD on a quadratic: stationary covariance against the Ornstein-Uhlenbeck (Lyapunov) prediction",
            new[] { "seed", "max relative error, OU", "max relative error, exact discrete", "slope of log tr Sigma in log eta/S" },
            Items(report["stationarity"]).Select(r => (IReadOnlyList<string>)new[]
            {
                F(Number(r["seed"])), Percent(Number(r["max_error_ou"])), Percent(Number(r["max_error_exact"])), F(Number(r["slope"])),
            }).ToList());
        var gap = new ReportTable("Fashion-MNIST: generalisation gap of SGD's end point and of SGLD's sample average",
            new[] { "seed", "SGD train / test accuracy", "SGD gap", "SGLD average train / test accuracy", "SGLD gap" },
            Items(report["gap"]).Select(g => (IReadOnlyList<string>)new[]
            {
                F(Number(g["seed"])), $"{Percent(Number(g["sgd"]?["train_accuracy"]))} / {Percent(Number(g["sgd"]?["test_accuracy"]))}", Percent(Number(g["sgd"]?["accuracy_gap"])),
                $"{Percent(Number(g["sgld_average"]?["train_accuracy"]))} / {Percent(Number(g["sgld_average"]?["test_accuracy"]))}", Percent(Number(g["sgld_average"]?["accuracy_gap"])),
            }).ToList());
        var figures = Path.Combine(sub, "figures");
        return new SectionFindings(Verdicts(report),
            new[]
            {
                Figure(figures, "toy-samples-sgld", "SGLD samples on the 25-Gaussian mixture"),
                Figure(figures, "toy-samples-csgld", "cyclical SGLD samples with the same budget"),
                Figure(figures, "toy-modes", "modes found against gradient evaluations"),
                Figure(figures, "ou-variance", "SGD's stationary variance against the OU prediction"),
                Figure(figures, "ou-trace-ratio", "stationary variance against eta / S: a temperature"),
                Figure(figures, "gap-accuracy", "train and test accuracy: SGD end point and SGLD samples"),
            },
            new[] { toy, stationarity, gap }, Settings(sub), new[] { $"landscape experiment langevin {PresetOption(preset)}" }, Strings(report["findings"]));
    }
}
