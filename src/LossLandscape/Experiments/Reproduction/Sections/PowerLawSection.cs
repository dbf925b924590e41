using LossLandscape.Reporting.Documents;
using static LossLandscape.Experiments.Reproduction.ReportFiles;

namespace LossLandscape.Experiments.Reproduction.Sections;

/// <summary>Power laws of deep ensembles and the memory split (Lobacheva et al. 2020).</summary>
public sealed class PowerLawSection : TalkSection
{
    public override string Id => "power-laws";
    public override string Title => "Deep ensembles: power laws and the memory split";
    public override string Talk =>
        "After temperature calibration the NLL of a deep ensemble follows a clear power law in the number of networks, and in " +
        "width; ensembles of different widths have different power laws, their lower envelope also obeys a power law, for a given " +
        "memory budget there is an optimal width and ensemble size, and the larger the budget the more networks are required. The " +
        "optimal split can be predicted from small ensembles.";
    public override string PaperScale =>
        "Lobacheva et al. (2020): VGG and WideResNet of many widths on CIFAR-10/100, up to 64 members per width: hundreds of " +
        "GPU-hours; the paper preset trains the ensemble pool with the sweep runner (Slurm or Kubernetes) on CIFAR-10.";

    public override void Run(SectionContext context)
    {
        var s = PowerLawsSettings.For(context.Preset) with { DataDir = context.DataDir };
        s.Validate();
        Step(context, "power-laws", "experiment power-laws", s, 0,
            run => PowerLaws.Run(s, run, pool => pool.Sweeps().Select(context.RunSweep).ToList().All(ok => ok), context.Log));
    }

    public override SectionFindings Read(string folder, Preset preset)
    {
        var sub = Path.Combine(folder, "power-laws");
        var report = Json(Path.Combine(sub, "power-laws.json"));
        var study = report["study"];
        var laws = new ReportTable("calibrated NLL against ensemble size n per width: CNLL(n) = c + b n^a fitted on all n",
            new[] { "width", "parameters", "members", "CNLL n = 1", "c", "a", "R^2" },
            Items(study?["laws"]).Select(l =>
            {
                var first = Items(study?["sizes"]).FirstOrDefault(z => Number(z["width"]) == Number(l["width"]) && Number(z["size"]) == 1);
                return (IReadOnlyList<string>)new[]
                {
                    F(Number(l["width"])), F(Number(l["parameters"])), F(Number(l["members"])), F(Number(first?["cnll"])),
                    F(Number(l["all"]?["c"]?["value"])), F(Number(l["all"]?["a"]?["value"])), F(Number(l["all"]?["r_squared"])),
                };
            }).ToList());
        var split = new ReportTable("memory split: the best measured width x members per budget, and the split predicted from n <= 4",
            new[] { "budget (parameters)", "measured best", "its CNLL", "predicted", "measured CNLL of the prediction" },
            Items(study?["budgets"]).Select(b => (IReadOnlyList<string>)new[]
            {
                F(Number(b["budget"])), $"{F(Number(b["measured"]?["width"]))} x {F(Number(b["measured"]?["members"]))}", F(Number(b["measured"]?["cnll"])),
                b["predicted"] is null ? "-" : $"{F(Number(b["predicted"]?["width"]))} x {F(Number(b["predicted"]?["members"]))}", F(Number(b["predicted_choice_measured_cnll"])),
            }).ToList());
        var figures = Path.Combine(sub, "figures");
        return new SectionFindings(Verdicts(report),
            new[]
            {
                Figure(figures, "cnll-vs-size", "calibrated NLL against ensemble size per width, with the fitted power laws"),
                Figure(figures, "nll-vs-width", "NLL and calibrated NLL against width"),
                Figure(figures, "cnll-vs-budget", "calibrated NLL against memory budget: the memory split and its lower envelope"),
            },
            new[] { laws, split }, Settings(sub), new[] { $"landscape experiment power-laws {PresetOption(preset)} --jobs 2" }, Strings(report["findings"]));
    }
}
