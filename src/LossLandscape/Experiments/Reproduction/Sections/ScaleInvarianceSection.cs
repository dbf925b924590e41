using LossLandscape.Reporting.Documents;
using static LossLandscape.Experiments.Reproduction.ReportFiles;

namespace LossLandscape.Experiments.Reproduction.Sections;

/// <summary>
/// Scale invariance of BatchNorm networks: periodic behaviour with weight decay (Lobacheva et al. 2021), the three regimes of
/// training on the sphere (Kodryan et al. 2022), and the talk's two phases (memorisation, consolidation) in an epoch-wise run.
/// </summary>
public sealed class ScaleInvarianceSection : TalkSection
{
    public override string Id => "scale-invariance";
    public override string Title => "Scale invariance, memorisation and consolidation";
    public override string Talk =>
        "DNNs with batch normalisation are scale-invariant with respect to their weights, but the width of local minima is not. " +
        "Phase 1, memorisation: train loss decreases to almost zero, weight norm increases, the effective width of the minimum is " +
        "small, test loss peaks. Phase 2, consolidation: weight norm drops, effective width increases, test loss improves. With " +
        "weight decay at a constant learning rate the norm, and with it the training, behaves periodically; on the sphere the " +
        "effective learning rate alone decides between convergence, a chaotic equilibrium and divergence.";
    public override string PaperScale =>
        "Lobacheva et al. (2021) and Kodryan et al. (2022): ConvNetSI and ResNet-18 on CIFAR-10/100, 1,000 epochs, several learning " +
        "rates; the paper presets train ConvNetSI (c = 32) on CIFAR-10 for 1,000 epochs at 4 learning rates (about 4 x 2 GPU-hours) and " +
        "on the sphere over 8 effective learning rates x 3 seeds for 200 epochs (about 10 GPU-hours).";

    public override void Run(SectionContext context)
    {
        var periodic = ScaleInvarianceSettings.For(context.Preset) with { DataDir = context.DataDir };
        Step(context, "periodic", "experiment scale-invariance", periodic, periodic.SeedsOrDefault[0],
            run => ScaleInvariance.Run(periodic, run, context.Device, context.Log));
        var sphere = SphereRegimesSettings.For(context.Preset) with { DataDir = context.DataDir };
        Step(context, "sphere", "experiment sphere", sphere, sphere.SeedsOrDefault[0], run => SphereRegimes.Run(sphere, run, context.Device, context.Log));
        var phases = MemorisationPhases.Settings(context.Preset) with { DataDir = context.DataDir };
        Step(context, "phases", "experiment double-descent --axis epochs", phases, phases.SeedsOrDefault[0],
            run => DoubleDescent.Run(phases, run, context.Device, context.RunSweep, context.Log));
    }

    /// <summary>The epoch-wise command line of the two phases, from the settings its run.json recorded.</summary>
    static string PhasesCommand(string folder, Preset preset)
    {
        var s = Json(Path.Combine(folder, Runs.RunDirectory.ManifestFile))["settings"]?["settings"];
        var options = new[] { ("--model", "model"), ("--width", "width"), ("--si-sharpness", "si_sharpness_every"), ("--anneal-epoch", "anneal_epoch"),
                ("--optimizer", "optimizer"), ("--lr", "learning_rate"), ("--weight-decay", "weight_decay") }
            .Where(o => s?[o.Item2] is not null).Select(o => $"{o.Item1} {s![o.Item2]!.ToJsonString().Trim('"')}");
        return $"landscape experiment double-descent --axis epochs {PresetOption(preset)} {string.Join(' ', options)}";
    }

    public override SectionFindings Read(string folder, Preset preset)
    {
        var periodic = Json(Path.Combine(folder, "periodic", "scale-invariance.json"));
        var sphere = Json(Path.Combine(folder, "sphere", "sphere.json"));
        var phases = Json(Path.Combine(folder, "phases", "double-descent.json"));
        var claims = Verdicts(periodic, "periodic behaviour: ").Concat(Verdicts(sphere, "sphere: ")).Concat(Verdicts(phases, "epoch-wise: ")).ToList();
        var periods = new ReportTable("periodic behaviour with weight decay: falls of rho by at least 30% from a peak that rise again",
            new[] { "lr", "seed", "periods", "peak epochs", "amplitudes", "rho: init -> final", "final train loss", "final test accuracy" },
            Items(periodic["runs"]).Select(r => (IReadOnlyList<string>)new[]
            {
                F(Number(r["learning_rate"])), F(Number(r["seed"])), Items(r["periods"]).Count().ToString(),
                string.Join(", ", Items(r["periods"]).Select(p => F(Number(p["peak_epoch"])))),
                string.Join(", ", Items(r["periods"]).Select(p => Percent(Number(p["amplitude"])))),
                $"{F(Number(r["initial_norm"]))} -> {F(Number(r["final_norm"]))}", F(Number(r["final_train_loss"])), Percent(Number(r["final_test_accuracy"])),
            }).ToList());
        var regimes = new ReportTable("training on the sphere: the regime the rule calls for each effective learning rate",
            new[] { "effective LR", "seed", "regime", "final train loss", "fluctuation", "test accuracy" },
            Items(sphere["runs"]).Select(r => (IReadOnlyList<string>)new[]
            {
                F(Number(r["effective_learning_rate"])), F(Number(r["seed"])), ((string?)r["call"]?["regime"] ?? "").Replace('_', ' '),
                F(Number(r["call"]?["final_loss"])), F(Number(r["call"]?["fluctuation"])), Percent(Number(r["final_test_accuracy"])),
            }).ToList());
        var twoPhases = new ReportTable("memorisation and consolidation per seed (epochs: early test-loss minimum, noisy labels fitted, end)",
            new[] { "seed", "epochs", "norm", "lambda_max rho^2", "test loss" },
            Items(phases["phases"]).Select(p => (IReadOnlyList<string>)new[]
            {
                F(Number(p["seed"])), $"{F(Number(p["early_minimum_epoch"]))} / {((bool?)p["fitted"] == true ? F(Number(p["fit_epoch"])) : "never")} / {F(Number(p["last_epoch"]))}",
                $"{F(Number(p["norm_at_minimum"]))} -> {F(Number(p["norm_at_fit"]))} -> {F(Number(p["norm_at_end"]))}",
                $"{F(Number(p["sharpness_at_minimum"]))} -> {F(Number(p["sharpness_at_fit"]))} -> {F(Number(p["sharpness_at_end"]))}",
                $"{F(Number(p["test_loss_at_minimum"]))} -> {F(Number(p["test_loss_at_fit"]))} -> {F(Number(p["test_loss_at_end"]))}",
            }).ToList());
        string sub(string name) => Path.Combine(folder, name);
        return new SectionFindings(claims,
            new[]
            {
                Figure(sub("periodic"), "norm", "weight norm rho of the scale-invariant weights per epoch (weight decay, constant LR)"),
                Figure(sub("periodic"), "train-loss", "train loss per epoch: spikes where rho jumps"),
                Figure(sub("periodic"), "phase", "effective gradient norm against effective learning rate (log-log)"),
                Figure(sub("sphere"), "regimes", "training on the sphere: final train loss against effective learning rate, each run's regime"),
                Figure(sub("phases"), "epochs-test-loss", "epoch-wise run with 20% label noise: test loss per epoch (annealing marked)"),
                Figure(sub("phases"), "epochs-weight-norm", "the same runs: norm of the scale-invariant weights"),
                Figure(sub("phases"), "epochs-si-sharpness", "the same runs: scale-invariant sharpness lambda_max rho^2"),
            },
            new[] { periods, regimes, twoPhases },
            Settings(sub("periodic"), "periodic.").Concat(Settings(sub("sphere"), "sphere.")).Concat(Settings(sub("phases"), "phases.")).ToList(),
            new[]
            {
                $"landscape experiment scale-invariance {PresetOption(preset)}", $"landscape experiment sphere {PresetOption(preset)}",
                PhasesCommand(sub("phases"), preset),
            },
            Strings(phases["findings"]).Select(f => "epoch-wise: " + f).ToList());
    }
}
