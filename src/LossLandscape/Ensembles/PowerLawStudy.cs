using LossLandscape.Reporting;

namespace LossLandscape.Ensembles;

/// <summary>How a pool is analysed: the temperature setup, subsets per ensemble size, the largest n the "small-ensemble" laws see.</summary>
public sealed record PowerLawSettings(TemperatureSetup Setup = TemperatureSetup.AfterAveraging, int MaxSubsets = 5, int SmallFitMaxSize = 4, int Budgets = 10, int Seed = 0);

/// <summary>One ensemble size of one width: CNLL over subsets, and the uncalibrated NLL and accuracy of the same subsets.</summary>
public sealed record SizeRow(int Width, int Size, double Cnll, double CnllSd, double Nll, double Accuracy, int Subsets);

/// <summary>The law in n of one width, fitted on every size and on n &lt;= SmallFitMaxSize only, and how the latter predicts larger n.</summary>
public sealed record WidthLaw(int Width, long Parameters, int Members, OffsetPowerLaw? All, OffsetPowerLaw? Small, IReadOnlyList<SizePrediction> Predictions);

/// <summary>The measured CNLL at a size beyond the small-ensemble fit, what that fit predicted, and |predicted - measured| / measured.</summary>
public sealed record SizePrediction(int Size, double Measured, double Predicted, double RelativeError);

/// <summary>CNLL against width at one ensemble size, fitted as c + b w^a (null when it cannot be).</summary>
public sealed record WidthFit(int Size, OffsetPowerLaw? Law);

/// <summary>A budget, the best split measured (over the measured sizes) and the one predicted by the small-ensemble laws.</summary>
public sealed record BudgetRow(long Budget, MemorySplitChoice? Measured, MemorySplitChoice? Predicted, double? PredictedChoiceMeasuredCnll);

/// <summary>
/// Power laws of deep ensembles on a pool (Lobacheva et al. 2020): CNLL(n) per width, c + b n^a fits on all sizes and on
/// n &lt;= 4 with their predictions for larger n, the law in width at fixed n, the memory split per budget (measured and
/// predicted from the small-ensemble laws) and its lower envelope.
/// </summary>
public sealed class PowerLawStudy
{
    public required PowerLawSettings Settings { get; init; }
    public required IReadOnlyList<SizeRow> Sizes { get; init; }
    public required IReadOnlyList<WidthLaw> Laws { get; init; }
    /// <summary>CNLL against width at n = 1 and at the largest n every width has.</summary>
    public required IReadOnlyList<WidthFit> WidthLaws { get; init; }
    public required IReadOnlyList<BudgetRow> Budgets { get; init; }
    /// <summary>The lower envelope of the measured memory-split curves fitted as c + b B^a and as b B^a.</summary>
    public required OffsetPowerLaw? Envelope { get; init; }
    public required PowerLaw? EnvelopePlain { get; init; }

    public static PowerLawStudy Run(EnsemblePool pool, PowerLawSettings settings, Action<string>? report = null)
    {
        var sizes = new List<SizeRow>();
        var laws = new List<WidthLaw>();
        var cnllSettings = new CnllSettings(Setup: settings.Setup, Seed: settings.Seed);
        foreach (int width in pool.Plan.Widths)
        {
            var members = pool.Load(width);
            long parameters = pool.Parameters(width);
            var points = EnsembleSizes.Cnll(members, SizeGrid(members.Members), settings.MaxSubsets, settings.Seed, cnllSettings);
            foreach (var p in points)
            {
                var ensembles = p.Subsets.Select(s => members.Select(s).Ensemble()).ToList();
                sizes.Add(new SizeRow(width, p.Size, p.Mean, p.StandardDeviation, ensembles.Average(e => e.Nll()), ensembles.Average(e => e.Accuracy()), p.Subsets.Count));
            }
            var n = points.Select(p => (double)p.Size).ToList();
            var y = points.Select(p => p.Mean).ToList();
            var all = TryFit(n, y);
            var small = TryFit(n.Where(v => v <= settings.SmallFitMaxSize).ToList(), y.Take(n.Count(v => v <= settings.SmallFitMaxSize)).ToList());
            var predictions = small is null
                ? new List<SizePrediction>()
                : points.Where(p => p.Size > settings.SmallFitMaxSize && (p.Size & (p.Size - 1)) == 0)
                    .Select(p => new SizePrediction(p.Size, p.Mean, small.Predict(p.Size), Math.Abs(small.Predict(p.Size) - p.Mean) / Math.Abs(p.Mean))).ToList();
            laws.Add(new WidthLaw(width, parameters, members.Members, all, small, predictions));
            report?.Invoke($"width {width}: {members.Members} members, {parameters:N0} parameters, CNLL {points[0].Mean:F4} (n=1) -> {points[^1].Mean:F4} (n={points[^1].Size})" +
                           (all is null ? "" : $", law c={all.C.Value:F4} b={all.B.Value:F4} a={all.A.Value:F3}"));
        }

        int commonSize = laws.Min(l => l.Members);
        var widthLaws = new[] { 1, commonSize }.Distinct().Select(size =>
        {
            var rows = sizes.Where(r => r.Size == size).OrderBy(r => r.Width).ToList();
            return new WidthFit(size, rows.Count >= 3 ? TryFit(rows.Select(r => (double)r.Width).ToList(), rows.Select(r => r.Cnll).ToList()) : null);
        }).ToList();

        var measured = laws.Select(l => MeasuredCurve(l, sizes.Where(r => r.Width == l.Width).ToList())).ToList();
        // A small-ensemble law without a finite asymptote (a at its bound) cannot extrapolate: that width is left out of the prediction.
        var predicted = laws.Where(l => l.Small is { } f && !IsDegenerate(f)).Select(l => WidthCurve.Predicted(l.Width, l.Parameters, l.Small!)).ToList();
        var budgets = BudgetGrid(laws, settings.Budgets);
        var budgetRows = budgets.Select(b =>
        {
            var m = MemorySplit.Best(b, measured);
            var p = MemorySplit.Best(b, predicted);
            double? check = p is { } choice ? measured.First(c => c.Width == choice.Width).Cnll(choice.Members) : null;
            return new BudgetRow(b, m, p, check);
        }).ToList();
        var envelope = budgetRows.Where(r => r.Measured is not null).Select(r => r.Measured!.Value).ToList();
        var x = envelope.Select(e => (double)e.Budget).ToList();
        var yEnvelope = envelope.Select(e => e.Cnll).ToList();
        return new PowerLawStudy
        {
            Settings = settings,
            Sizes = sizes,
            Laws = laws,
            WidthLaws = widthLaws,
            Budgets = budgetRows,
            Envelope = envelope.Count >= 4 ? TryFit(x, yEnvelope) : null,
            EnvelopePlain = envelope.Count >= 3 ? PowerLaw.Fit(x, yEnvelope) : null,
        };
    }

    /// <summary>A fit whose exponent sits at its upper bound (a -> 0): c and b trade off, there is no finite asymptote.</summary>
    public static bool IsDegenerate(OffsetPowerLaw law) => law.A.Value > OffsetPowerLaw.MaxExponent * 10;

    /// <summary>
    /// The measured curve of one width for the memory split: n members cost n times a member's parameters; between
    /// measured sizes the largest measured size below n is used (fewer members also fit the budget, and CNLL falls
    /// with n, so this never flatters a width); beyond the pool there is no value.
    /// </summary>
    static WidthCurve MeasuredCurve(WidthLaw law, IReadOnlyList<SizeRow> rows) =>
        new(law.Width, law.Parameters, n => n > law.Members ? null : rows.Where(r => r.Size <= n).MaxBy(r => r.Size)?.Cnll);

    /// <summary>Ensemble sizes measured: every n up to 16, then multiples of 8, and the whole pool.</summary>
    public static IReadOnlyList<int> SizeGrid(int poolSize) =>
        Enumerable.Range(1, poolSize).Where(n => n <= 16 || n % 8 == 0 || n == poolSize).ToList();

    /// <summary>
    /// Budgets, log-spaced, from the widest member's size (one wide network) to the median of the pools' totals: above
    /// that, most widths would need more members than were trained, and the optimum would be decided by which pools
    /// happen to be large rather than by the laws.
    /// </summary>
    static IReadOnlyList<long> BudgetGrid(IReadOnlyList<WidthLaw> laws, int count)
    {
        long low = laws.Max(l => l.Parameters);
        var totals = laws.Select(l => l.Parameters * l.Members).Order().ToList();
        long high = totals[(totals.Count - 1) / 2];
        if (count < 2 || high <= low) return new[] { low };
        return Enumerable.Range(0, count).Select(i => (long)Math.Round(low * Math.Pow((double)high / low, i / (double)(count - 1)))).Distinct().ToList();
    }

    static OffsetPowerLaw? TryFit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count < 3) return null;
        try
        {
            return OffsetPowerLaw.Fit(x, y);
        }
        catch (LandscapeException)
        {
            return null; // e.g. a curve that does not decrease: reported as "no law", not an error
        }
    }

    /// <summary>The three figures: CNLL - c against n (log-log) with fits; CNLL against budget with the envelope; NLL before and after calibration against width.</summary>
    public IReadOnlyList<SavedFigure> Plot(string folder)
    {
        var byN = new LinePlot("Calibrated NLL against ensemble size", "ensemble size n", "CNLL(n) - c (fit on all n)") { XScale = AxisScale.Log10, YScale = AxisScale.Log10 };
        for (int i = 0; i < Laws.Count; i++)
        {
            var law = Laws[i];
            if (law.All is not { } fit) continue;
            var rows = Sizes.Where(r => r.Width == law.Width).ToList();
            byN.Add($"width {law.Width}", rows.Select(r => (double)r.Size).ToList(), rows.Select(r => r.Cnll - fit.C.Value).ToList(), i, markersOnly: true);
            var grid = Enumerable.Range(0, 50).Select(k => Math.Pow(rows.Count, k / 49.0)).ToList();
            byN.Add(null, grid, grid.Select(v => fit.Predict(v) - fit.C.Value).ToList(), i);
        }

        var byBudget = new LinePlot("Memory split: CNLL against budget", "budget (parameters)", "CNLL") { XScale = AxisScale.Log10, Markers = true };
        for (int i = 0; i < Laws.Count; i++)
        {
            var law = Laws[i];
            var rows = Sizes.Where(r => r.Width == law.Width).ToList();
            byBudget.Add($"width {law.Width}", rows.Select(r => (double)r.Size * law.Parameters).ToList(), rows.Select(r => r.Cnll).ToList(), i);
        }
        var envelope = Budgets.Where(b => b.Measured is not null).ToList();
        byBudget.Add("lower envelope", envelope.Select(b => (double)b.Budget).ToList(), envelope.Select(b => b.Measured!.Value.Cnll).ToList(), Laws.Count);

        var byWidth = new LinePlot("Calibration and width", "width", "test NLL") { XScale = AxisScale.Log10, Markers = true };
        int color = 0;
        foreach (int size in new[] { 1, Laws.Min(l => l.Members) }.Distinct())
        {
            var rows = Sizes.Where(r => r.Size == size).OrderBy(r => r.Width).ToList();
            byWidth.Add($"n={size} uncalibrated", rows.Select(r => (double)r.Width).ToList(), rows.Select(r => r.Nll).ToList(), color++);
            byWidth.Add($"n={size} calibrated", rows.Select(r => (double)r.Width).ToList(), rows.Select(r => r.Cnll).ToList(), color++);
        }
        return new[]
        {
            byN.Save(Path.Combine(folder, "cnll-vs-size")),
            byBudget.Save(Path.Combine(folder, "cnll-vs-budget")),
            byWidth.Save(Path.Combine(folder, "nll-vs-width")),
        };
    }
}
