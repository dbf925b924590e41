using LossLandscape.Reporting;

namespace LossLandscape.Experiments.Langevin;

/// <summary>The figures of <see cref="LangevinSampling"/>, as PNG + SVG in one folder.</summary>
public static class LangevinFigures
{
    public static void Save(LangevinReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        Toy(report, folder);
        Stationarity(report, folder);
        Gap(report, folder);
    }

    static void Toy(LangevinReport report, string folder)
    {
        using var mixture = GaussianGridMixture.TwentyFive();
        var axis = Enumerable.Range(0, 121).Select(i => -6 + 0.1 * i).ToArray();
        var density = new double[axis.Length, axis.Length];
        for (int iy = 0; iy < axis.Length; iy++)
            for (int ix = 0; ix < axis.Length; ix++) density[iy, ix] = mixture.Density(axis[ix], axis[iy]);
        foreach (var sampler in report.Toy)
        {
            var (x, y) = sampler.Samples;
            var chain = sampler.Chains.Count > 0 ? sampler.Chains[0] : null;
            new ContourPlot($"{sampler.Name}, eps_0 {sampler.ChosenStep:G3}: {chain?.ModesFound} of {mixture.Modes} modes (evaluation chain 0)", axis, axis, density)
                { ValueLabel = "density", LevelCount = 4, XLabel = "θ₁", YLabel = "θ₂" }
                .AddPoints($"samples ({x.Length} shown)", x, y)
                .Save(Path.Combine(folder, "toy-samples-" + Slug(sampler.Name)));
        }
        var grid = new LinePlot("Step-size grid: modes found by the tuning chains", "initial step ε₀", $"modes found (of {mixture.Modes})")
            { XScale = AxisScale.Log10, Markers = true };
        foreach (var sampler in report.Toy)
            grid.Add(sampler.Name, sampler.Grid.Select(g => g.InitialStep).ToArray(), sampler.Grid.Select(g => g.TuningModes).ToArray());
        grid.Save(Path.Combine(folder, "toy-step-grid"));
        var modes = new ScatterPlot("Modes found per evaluation chain (same budget)", "chain", $"modes found (of {mixture.Modes})");
        foreach (var sampler in report.Toy)
            modes.Add(sampler.Name, sampler.Chains.Select(c => (double)c.Chain).ToArray(), sampler.Chains.Select(c => (double)c.ModesFound).ToArray());
        modes.Save(Path.Combine(folder, "toy-modes"));
    }

    static void Stationarity(LangevinReport report, string folder)
    {
        if (report.Stationarity.Count == 0) return;
        var first = report.Stationarity[0];
        var sorted = first.Points.OrderBy(p => p.Temperature).ToList();
        new LinePlot($"SGD's stationary variance against η/S (seed {first.Seed})", "η / S", "tr Σ")
            { XScale = AxisScale.Log10, YScale = AxisScale.Log10 }
            .Add("OU prediction", sorted.Select(p => p.Temperature).ToArray(), sorted.Select(p => p.TraceOu).ToArray(), 0)
            .Add("exact discrete", sorted.Select(p => p.Temperature).ToArray(), sorted.Select(p => p.TraceExact).ToArray(), 1, markersOnly: true)
            .Add("SGD, empirical", sorted.Select(p => p.Temperature).ToArray(), sorted.Select(p => p.TraceEmpirical).ToArray(), 2, markersOnly: true)
            .Save(Path.Combine(folder, "ou-variance"));

        var all = report.Stationarity.SelectMany(r => r.Points).ToList();
        new LinePlot("Empirical over predicted variance (all seeds)", "η / S", "tr Σ / tr Σ_OU") { XScale = AxisScale.Log10 }
            .Add("SGD, empirical", all.Select(p => p.Temperature).ToArray(), all.Select(p => p.TraceEmpirical / p.TraceOu).ToArray(), 0, markersOnly: true)
            .Add("exact discrete", all.Select(p => p.Temperature).ToArray(), all.Select(p => p.TraceExact / p.TraceOu).ToArray(), 1, markersOnly: true)
            .AddHorizontalLine(1, "OU")
            .Save(Path.Combine(folder, "ou-trace-ratio"));

        // Every covariance entry, scaled by the temperature eta / S: the OU prediction is then one matrix per seed.
        var predicted = new List<double>();
        var empirical = new List<double>();
        foreach (var p in all)
            for (int i = 0; i < p.Empirical.Length; i++)
                for (int j = 0; j < p.Empirical.Length; j++)
                {
                    predicted.Add(p.Predicted[i][j] / p.Temperature);
                    empirical.Add(p.Empirical[i][j] / p.Temperature);
                }
        double lo = Math.Min(predicted.Min(), empirical.Min()), hi = Math.Max(predicted.Max(), empirical.Max());
        new LinePlot("Covariance entries / (η/S): SGD against the OU prediction", "OU prediction", "SGD, empirical")
            .Add("y = x", new[] { lo, hi }, new[] { lo, hi }, 0)
            .Add("entries (all seeds, all η, S)", predicted, empirical, 1, markersOnly: true)
            .Save(Path.Combine(folder, "ou-covariance"));
    }

    static void Gap(LangevinReport report, string folder)
    {
        if (report.Gap.Count == 0) return;
        var seeds = report.Gap.Select(g => (double)g.Seed).ToArray();
        new ScatterPlot("Fashion-MNIST: generalisation gap (train minus test accuracy)", "seed", "accuracy gap")
            .Add("SGD end point", seeds, report.Gap.Select(g => g.Sgd.AccuracyGap).ToArray())
            .Add("SGLD sample average", seeds, report.Gap.Select(g => g.SgldAverage.AccuracyGap).ToArray())
            .Add("last SGLD sample", seeds, report.Gap.Select(g => g.SgldLastSample.AccuracyGap).ToArray())
            .Save(Path.Combine(folder, "gap-accuracy"));
        new ScatterPlot("Fashion-MNIST: loss gap (test minus train cross-entropy)", "seed", "loss gap (nats)")
            .Add("SGD end point", seeds, report.Gap.Select(g => g.Sgd.LossGap).ToArray())
            .Add("SGLD sample average", seeds, report.Gap.Select(g => g.SgldAverage.LossGap).ToArray())
            .Add("last SGLD sample", seeds, report.Gap.Select(g => g.SgldLastSample.LossGap).ToArray())
            .Save(Path.Combine(folder, "gap-loss"));
    }

    static string Slug(string name) =>
        new string(name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Replace("--", "-").Trim('-');
}
