using System.Globalization;
using System.Text;
using System.Text.Json;
using LossLandscape.Ensembles;
using LossLandscape.Runs;
using LossLandscape.Runs.Sweeps;

namespace LossLandscape.Experiments;

/// <summary>
/// Power laws of deep ensembles (Lobacheva, Chirkova, Kodryan &amp; Vetrov 2020) at a scale chosen by the preset: a pool
/// of members per width (MLPs on a Fashion-MNIST subset; the paper used VGG / WideResNet on CIFAR), trained with
/// SGD momentum 0.9, batch 128 and the paper's schedule (constant to 50%, linear to 1% at 90%).
/// </summary>
public sealed record PowerLawsSettings(
    IReadOnlyList<int> Widths,
    IReadOnlyList<int> Members,
    string Model = "mlp",
    int Depth = 2,
    int Epochs = 20,
    int TrainSize = 5000,
    double LearningRate = 0.05,
    double WeightDecay = 0,
    double LabelNoise = 0,
    int MaxSubsets = 5,
    string? DataDir = null)
{
    public static PowerLawsSettings For(Preset preset) => preset switch
    {
        Preset.Smoke => new(new[] { 4, 8, 16 }, new[] { 8, 4, 4 }, Epochs: 2, TrainSize: 1000, MaxSubsets: 3),
        Preset.Quick => new(new[] { 4, 8, 16, 32, 64 }, new[] { 64, 32, 16, 8, 8 }, Epochs: 20, TrainSize: 5000),
        Preset.Paper => new(new[] { 8, 16, 32, 64, 128, 256, 512 }, new[] { 64, 64, 48, 32, 24, 16, 12 }, Epochs: 60, TrainSize: 60000, MaxSubsets: 10),
        _ => throw new LandscapeException($"unknown preset {preset}"),
    };

    public void Validate()
    {
        if (Widths.Count < 3 || Widths.Count != Members.Count) throw new LandscapeException("give at least 3 widths and one member count per width");
        if (Members.Any(m => m < 2)) throw new LandscapeException("every width needs at least 2 members");
        if (Epochs < 1 || TrainSize < 10) throw new LandscapeException("--epochs must be at least 1 and --train-size at least 10");
    }

    public PoolPlan Pool() => PoolPlan.Create(Model, Widths, Members, Depth, Epochs, TrainSize, LearningRate, WeightDecay, LabelNoise, DataDir);
}

public sealed record PowerLawsReport(PowerLawsSettings Settings, PowerLawStudy Study, IReadOnlyList<Verdict> Verdicts, IReadOnlyList<string> Findings,
    double TrainingSeconds, double AnalysisSeconds);

public static class PowerLaws
{
    /// <summary>R^2 a fitted law must exceed to count as "a power law" in the verdicts.</summary>
    public const double LawR2 = 0.95;

    /// <param name="trainPool">trains the pool's unfinished members (a sweep runner) and says whether all succeeded</param>
    public static PowerLawsReport Run(PowerLawsSettings s, RunDirectory output, Func<EnsemblePool, bool> trainPool, Action<string>? log = null)
    {
        s.Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pool = EnsemblePool.CreateOrOpen(output.File("pool"), s.Pool());
        if (!trainPool(pool)) throw new LandscapeException($"some members of {pool.Path} failed to train; rerun the same command to retry only those");
        double trainingSeconds = clock.Elapsed.TotalSeconds;
        var (study, verdicts, findings, analysisSeconds) = Analyze(pool, new PowerLawSettings(MaxSubsets: s.MaxSubsets), output.Path, log);
        var report = new PowerLawsReport(s, study, verdicts, findings, trainingSeconds, analysisSeconds);
        AtomicFile.WriteAllText(output.File("power-laws.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    /// <summary>The analysis of a trained pool: study, verdicts and findings, figures/, cnll.csv and memory-split.csv in <paramref name="folder"/>.</summary>
    public static (PowerLawStudy Study, IReadOnlyList<Verdict> Verdicts, IReadOnlyList<string> Findings, double Seconds) Analyze(
        EnsemblePool pool, PowerLawSettings settings, string folder, Action<string>? log = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var study = PowerLawStudy.Run(pool, settings, log);
        var (verdicts, findings) = Judge(study);
        foreach (var line in verdicts.Select(v => v.Describe()).Concat(findings)) log?.Invoke(line);
        study.Plot(Path.Combine(folder, "figures"));
        WriteTables(study, folder);
        return (study, verdicts, findings, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Verdicts over widths (each width's pool is one replicate) and plain findings with their numbers.</summary>
    public static (IReadOnlyList<Verdict> Verdicts, IReadOnlyList<string> Findings) Judge(PowerLawStudy study)
    {
        var verdicts = new List<Verdict>();
        var findings = new List<string>();
        // A fit whose exponent sits at its upper bound (a -> 0) has no finite asymptote: that is not the claimed law.
        var inN = study.Laws.Select(l => l.All is { } f && !PowerLawStudy.IsDegenerate(f) ? f.RSquared - LawR2 : -1).ToList();
        verdicts.Add(Verdict.Of($"CNLL(n) = c + b n^a with a < 0 fits each width (R^2 minus {LawR2}; -1 where no law with a finite asymptote fits)", inN, replicate: "width"));
        foreach (var l in study.Laws.Where(l => l.Small is { } f && PowerLawStudy.IsDegenerate(f)))
            findings.Add($"width {l.Width}: the law fitted on n <= 4 is degenerate (a at its bound, no finite asymptote); this width is left out of the predicted split");
        var predictions = study.Laws.SelectMany(l => l.Predictions).ToList();
        if (predictions.Count > 0)
            findings.Add("law fitted on n <= 4 predicts larger n with relative error " +
                         string.Join(", ", study.Laws.SelectMany(l => l.Predictions.Select(p => $"{p.RelativeError:P1} (width {l.Width}, n={p.Size})"))));
        foreach (var l in study.Laws.Where(l => l.All is not null))
            findings.Add($"width {l.Width}{(PowerLawStudy.IsDegenerate(l.All!) ? " (degenerate: a at its bound)" : "")}: c = {l.All!.C.Value:F4} [{l.All.C.Lower:F4}, {l.All.C.Upper:F4}], a = {l.All.A.Value:F3} [{l.All.A.Lower:F3}, {l.All.A.Upper:F3}], R^2 {l.All.RSquared:F4}");
        foreach (var w in study.WidthLaws)
            findings.Add(w.Law is { } law
                ? $"CNLL against width at n={w.Size}: c = {law.C.Value:F4}, b = {law.B.Value:F4}, a = {law.A.Value:F3}, R^2 {law.RSquared:F4}"
                : $"CNLL against width at n={w.Size}: no decreasing power law fits");
        if (study.Envelope is { } env)
        {
            verdicts.Add(Verdict.Of($"the lower envelope of the memory-split curves is a power law in the budget (R^2 minus {LawR2})", new[] { env.RSquared - LawR2 }, replicate: "pool"));
            findings.Add($"envelope: CNLL(B) = {env.C.Value:F4} + {env.B.Value:G4} B^{env.A.Value:F3}, R^2 {env.RSquared:F4}" +
                         (study.EnvelopePlain is { } plain ? $"; plain b B^a: a = {plain.A:F4}, R^2 {plain.RSquared:F4}" : ""));
        }
        var optimal = study.Budgets.Where(b => b.Measured is not null).Select(b => (Budget: (double)b.Budget, Members: (double)b.Measured!.Value.Members)).ToList();
        if (optimal.Count >= 3)
        {
            double rho = Spearman(optimal.Select(o => o.Budget).ToList(), optimal.Select(o => o.Members).ToList());
            verdicts.Add(Verdict.Of("larger budgets want more members (Spearman correlation of budget and optimal n)", new[] { rho }, replicate: "pool"));
            findings.Add("optimal split per budget, predicted from the n <= 4 laws: " + string.Join(", ", study.Budgets.Where(b => b.Predicted is not null)
                .Select(b => $"{b.Budget:N0}: width {b.Predicted!.Value.Width} x {b.Predicted.Value.Members}")));
            findings.Add("optimal split per budget (measured): " + string.Join(", ", study.Budgets.Where(b => b.Measured is not null)
                .Select(b => $"{b.Budget:N0}: width {b.Measured!.Value.Width} x {b.Measured.Value.Members}")));
        }
        var compared = study.Budgets.Where(b => b.Measured is not null && b.Predicted is not null).ToList();
        if (compared.Count > 0)
        {
            int exact = compared.Count(b => b.Measured!.Value.Width == b.Predicted!.Value.Width && b.Measured.Value.Members == b.Predicted.Value.Members);
            int beyond = compared.Count(b => b.PredictedChoiceMeasuredCnll is null);
            findings.Add($"split predicted from n <= 4 laws matches the measured optimum exactly for {exact} of {compared.Count} budgets; " +
                         "where it differs, the predicted split's measured CNLL is above the optimum by " +
                         string.Join(", ", compared.Where(b => b.PredictedChoiceMeasuredCnll is not null && (b.Measured!.Value.Width != b.Predicted!.Value.Width || b.Measured.Value.Members != b.Predicted.Value.Members))
                             .Select(b => $"{(b.PredictedChoiceMeasuredCnll!.Value - b.Measured!.Value.Cnll) / b.Measured.Value.Cnll:P2} at {b.Budget:N0}").DefaultIfEmpty("(none)")) +
                         (beyond > 0 ? $"; for {beyond} budget(s) the predicted split needs more members than were trained" : ""));
        }
        // "Calibration removes double descent": count interior peaks of NLL against width before and after calibration.
        foreach (int size in new[] { 1, study.Laws.Min(l => l.Members) }.Distinct())
        {
            var rows = study.Sizes.Where(r => r.Size == size).OrderBy(r => r.Width).ToList();
            findings.Add($"n={size}: against width, NLL has {Peaks(rows.Select(r => r.Nll).ToList())} interior peak(s) and rises {Rises(rows.Select(r => r.Nll).ToList())} time(s) uncalibrated, " +
                         $"{Peaks(rows.Select(r => r.Cnll).ToList())} peak(s) and {Rises(rows.Select(r => r.Cnll).ToList())} rise(s) calibrated " +
                         $"(NLL {string.Join(" / ", rows.Select(r => r.Nll.ToString("F4", CultureInfo.InvariantCulture)))}; CNLL {string.Join(" / ", rows.Select(r => r.Cnll.ToString("F4", CultureInfo.InvariantCulture)))})");
        }
        return (verdicts, findings);
    }

    static int Rises(IReadOnlyList<double> y) => Enumerable.Range(1, Math.Max(0, y.Count - 1)).Count(i => y[i] > y[i - 1]);

    static int Peaks(IReadOnlyList<double> y) => Enumerable.Range(1, Math.Max(0, y.Count - 2)).Count(i => y[i] > y[i - 1] && y[i] > y[i + 1]);

    /// <summary>Spearman rank correlation (average ranks for ties).</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        static double[] Ranks(IReadOnlyList<double> v)
        {
            var order = v.Select((value, i) => (value, i)).OrderBy(p => p.value).ToList();
            var ranks = new double[v.Count];
            for (int i = 0; i < order.Count;)
            {
                int j = i;
                while (j + 1 < order.Count && order[j + 1].value == order[i].value) j++;
                for (int k = i; k <= j; k++) ranks[order[k].i] = (i + j) / 2.0;
                i = j + 1;
            }
            return ranks;
        }
        var rx = Ranks(x);
        var ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average();
        double sxy = rx.Zip(ry).Sum(p => (p.First - mx) * (p.Second - my));
        double sxx = rx.Sum(v => (v - mx) * (v - mx)), syy = ry.Sum(v => (v - my) * (v - my));
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }

    static void WriteTables(PowerLawStudy study, string folder)
    {
        string F(double v) => MetricsRow.Format(v);
        var sizes = new StringBuilder("width,size,cnll,cnll_sd,nll,accuracy,subsets\n");
        foreach (var r in study.Sizes) sizes.Append($"{r.Width},{r.Size},{F(r.Cnll)},{F(r.CnllSd)},{F(r.Nll)},{F(r.Accuracy)},{r.Subsets}\n");
        AtomicFile.WriteAllText(Path.Combine(folder, "cnll.csv"), sizes.ToString());
        var budgets = new StringBuilder("budget,measured_width,measured_members,measured_cnll,predicted_width,predicted_members,predicted_cnll,predicted_choice_measured_cnll\n");
        foreach (var b in study.Budgets)
            budgets.Append($"{b.Budget},{b.Measured?.Width},{b.Measured?.Members},{(b.Measured is { } m ? F(m.Cnll) : "")},{b.Predicted?.Width},{b.Predicted?.Members}," +
                           $"{(b.Predicted is { } p ? F(p.Cnll) : "")},{(b.PredictedChoiceMeasuredCnll is { } c ? F(c) : "")}\n");
        AtomicFile.WriteAllText(Path.Combine(folder, "memory-split.csv"), budgets.ToString());
    }
}
