using System.Globalization;
using System.Text;
using System.Text.Json;
using LossLandscape.Data;
using LossLandscape.Ensembles;
using LossLandscape.Models;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Runs.Sweeps;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments;

/// <summary>What varies: model width (CNN-k's k), training epochs, training-set size, or random features per sample (RFF).</summary>
public enum DescentAxis { Width, Epochs, Samples, Features }

/// <summary>
/// Double descent (Nakkiran et al. 2019; Belkin et al. 2019). Label noise is fixed once (<c>--data-seed 0</c>) and shared
/// by every run; test labels are clean. Seeds change initialisation and shuffling. The features axis is Belkin's
/// random Fourier features with minimum-norm least squares on <see cref="TrainSize"/> images.
/// </summary>
/// <param name="EvalEvery">epochs axis: evaluate the checkpoint of every this many epochs</param>
/// <param name="AnnealEpoch">when set, the learning rate drops tenfold from this epoch (step schedule), marked in the figures</param>
/// <param name="SiSharpnessEvery">scale-invariant models (mlp-si, convnet-si): log the weight norm and lambda_max * rho^2 every this
/// many epochs, for the memorisation / consolidation figure of the epochs axis</param>
public sealed record DoubleDescentSettings(
    DescentAxis Axis,
    string Model = "cnn",
    IReadOnlyList<int>? Widths = null,
    int Width = 8,
    IReadOnlyList<int>? TrainSizes = null,
    int TrainSize = 1000,
    int TestSize = 2000,
    int Epochs = 40,
    int EvalEvery = 1,
    double LabelNoise = 0.2,
    string Optimizer = "adam",
    double LearningRate = 1e-3,
    int[]? Seeds = null,
    IReadOnlyList<double>? FeatureRatios = null,
    string? DataDir = null,
    int? AnnealEpoch = null,
    int? SiSharpnessEvery = null,
    double WeightDecay = 0)
{
    public int[] SeedsOrDefault => Seeds ?? new[] { 0, 1, 2 };

    public static DoubleDescentSettings For(Preset preset, DescentAxis axis) => (preset, axis) switch
    {
        (Preset.Smoke, DescentAxis.Features) => new(axis, TrainSize: 300, TestSize: 500, LabelNoise: 0, Seeds: new[] { 0 }, FeatureRatios: new[] { 0.5, 1.0, 2.0 }),
        (Preset.Smoke, DescentAxis.Epochs) => new(axis, Width: 2, TrainSize: 300, TestSize: 500, Epochs: 3, Seeds: new[] { 0 }),
        (Preset.Smoke, DescentAxis.Samples) => new(axis, Width: 2, TrainSizes: new[] { 150, 300 }, TestSize: 500, Epochs: 2, Seeds: new[] { 0 }),
        (Preset.Smoke, _) => new(axis, Widths: new[] { 1, 2, 4 }, TrainSize: 300, TestSize: 500, Epochs: 2, Seeds: new[] { 0 }),
        (Preset.Quick, DescentAxis.Features) => new(axis, TrainSize: 1000, TestSize: 2000, LabelNoise: 0,
            FeatureRatios: new[] { 0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.25, 1.5, 2, 3, 5, 10 }),
        (Preset.Quick, DescentAxis.Epochs) => new(axis, Width: 8, TrainSize: 1000, Epochs: 60, EvalEvery: 2),
        (Preset.Quick, DescentAxis.Samples) => new(axis, Width: 4, TrainSizes: new[] { 250, 500, 750, 1000, 1500, 2000, 3000 }, Epochs: 40),
        (Preset.Quick, _) => new(axis, Widths: new[] { 1, 2, 3, 4, 5, 6, 8, 10, 12 }, TrainSize: 500, TestSize: 1000, Epochs: 40),
        (Preset.Paper, DescentAxis.Features) => new(axis, TrainSize: 10000, TestSize: 10000, LabelNoise: 0,
            FeatureRatios: new[] { 0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.25, 1.5, 2, 3, 5, 10 }),
        (Preset.Paper, DescentAxis.Epochs) => new(axis, Width: 64, TrainSize: 50000, TestSize: 10000, Epochs: 1000, EvalEvery: 10, LearningRate: 1e-4),
        (Preset.Paper, DescentAxis.Samples) => new(axis, Width: 16, TrainSizes: new[] { 2500, 5000, 10000, 15000, 20000, 30000, 50000 }, TestSize: 10000, Epochs: 1000, LearningRate: 1e-4),
        (Preset.Paper, _) => new(axis, Widths: new[] { 1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 32, 48, 64 }, TrainSize: 50000, TestSize: 10000, Epochs: 1000, LearningRate: 1e-4),
        _ => throw new LandscapeException($"unknown preset {preset}"),
    };

    /// <summary>The values along the axis (epochs: the evaluated epochs).</summary>
    public IReadOnlyList<double> AxisValues() => Axis switch
    {
        DescentAxis.Width => (Widths ?? throw new LandscapeException("--widths is required for the width axis")).Select(w => (double)w).ToList(),
        DescentAxis.Samples => (TrainSizes ?? throw new LandscapeException("--train-sizes is required for the samples axis")).Select(n => (double)n).ToList(),
        DescentAxis.Features => FeatureRatios ?? throw new LandscapeException("feature ratios are required for the features axis"),
        _ => Enumerable.Range(1, Epochs / EvalEvery).Select(k => (double)(k * EvalEvery)).ToList(),
    };

    public void Validate()
    {
        if (SeedsOrDefault.Length == 0) throw new LandscapeException("give at least one seed");
        if (Epochs < 1 || EvalEvery < 1 || EvalEvery > Epochs) throw new LandscapeException("--epochs must be at least 1 and --eval-every lie in [1, epochs]");
        if (LabelNoise is < 0 or >= 1) throw new LandscapeException($"--label-noise must lie in [0, 1), got {LabelNoise}");
        if (AxisValues().Count < 2) throw new LandscapeException("the axis needs at least two values");
        if (AxisValues().Any(v => !(v > 0))) throw new LandscapeException("axis values must be positive");
        if (!(LearningRate > 0) || WeightDecay < 0) throw new LandscapeException("--lr must be positive and --weight-decay at least 0");
        if (AnnealEpoch is { } a && (a < 1 || a >= Epochs)) throw new LandscapeException($"--anneal-epoch must lie in [1, epochs), got {a}");
    }
}

/// <summary>One run (or checkpoint, or RFF fit) at one axis value: errors on the (noisy) training labels and the clean test labels, test NLL raw and calibrated.</summary>
public sealed record DescentPoint(double X, int Seed, double TrainError, double TestError, double TestNll, double TestCnll, double Temperature, double? TestMse = null);

/// <summary>Means and sample standard deviations over seeds at one axis value.</summary>
public sealed record DescentSummary(double X, int Seeds, double TrainError, double TrainErrorSd, double TestError, double TestErrorSd, double TestNll, double TestNllSd, double TestCnll, double TestCnllSd, double? TestMse);

/// <summary>
/// A peak of one test curve: the interior axis value with the highest mean, and per seed how far it exceeds the
/// higher of its two neighbours (the verdict's effects).
/// </summary>
public sealed record DescentPeak(string Curve, double X, double Mean, double LeftMean, double RightMean, IReadOnlyList<double> Effects);

public sealed record DoubleDescentReport(DoubleDescentSettings Settings, IReadOnlyList<DescentPoint> Points, IReadOnlyList<DescentSummary> Summary,
    double? InterpolationThreshold, IReadOnlyList<DescentPeak> Peaks, IReadOnlyList<Verdict> Verdicts, IReadOnlyList<string> Findings, double Seconds,
    IReadOnlyList<MemorisationPhases>? Phases = null);

public static partial class DoubleDescent
{
    /// <summary>Training error at or below which a model counts as interpolating its (noisy) training set.</summary>
    public const double InterpolationError = 0.01;

    /// <param name="runSweep">runs the sweep's unfinished tasks (a sweep runner) and says whether all succeeded</param>
    public static DoubleDescentReport Run(DoubleDescentSettings s, RunDirectory output, Device device, Func<SweepDirectory, bool> runSweep, Action<string>? log = null)
    {
        s.Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<DescentPoint> points;
        var phases = new List<MemorisationPhases>();
        if (s.Axis == DescentAxis.Features)
        {
            points = RandomFeatures(s, device, log);
        }
        else
        {
            var sweep = SweepDirectory.CreateOrOpen(output.File("runs"), Spec(s));
            if (!runSweep(sweep)) throw new LandscapeException($"some runs of {sweep.Path} failed; rerun the same command to retry only those");
            points = s.Axis == DescentAxis.Epochs ? FromCheckpoints(s, sweep, device, log) : FromFinalPredictions(s, sweep);
            if (s.Axis == DescentAxis.Epochs)
            {
                PlotMemorisation(s, sweep, output);
                phases.AddRange(sweep.Tasks.Select(t => MemorisationPhases.Of(int.Parse(t.Parameters.First(p => p.Key == "seed").Value, CultureInfo.InvariantCulture),
                    MetricsFile.Read(Path.Combine(sweep.TaskFolder(t), MetricsFile.FileName)))).OfType<MemorisationPhases>());
            }
        }
        var summary = Summarise(points);
        double? threshold = summary.FirstOrDefault(r => r.TrainError <= InterpolationError)?.X;
        var peaks = new List<DescentPeak>();
        var verdicts = new List<Verdict>();
        var findings = new List<string>();
        var curves = s.Axis == DescentAxis.Features
            ? new (string, Func<DescentPoint, double>)[] { ("test MSE", p => p.TestMse ?? double.NaN), ("test error", p => p.TestError) }
            : new (string, Func<DescentPoint, double>)[] { ("test error", p => p.TestError), ("test NLL", p => p.TestNll), ("calibrated test NLL", p => p.TestCnll) };
        foreach (var (name, value) in curves)
        {
            if (Peak(name, points, value) is not { } peak)
            {
                findings.Add($"{name}: no interior local maximum (the mean curve is monotone or peaks only at an end of the axis)");
                if (HighestInterior(name, points, value) is { } top)
                    verdicts.Add(Verdict.Of($"{name} has a peak above both neighbours (the mean curve has none; per-seed excess over the higher neighbour at its highest interior {AxisName(s.Axis)} {top.X:G4})", top.Effects));
                continue;
            }
            peaks.Add(peak);
            verdicts.Add(Verdict.Of($"{name} has a peak at {AxisName(s.Axis)} {peak.X:G4} above both neighbours (per-seed excess over the higher neighbour)", peak.Effects));
            findings.Add($"{name}: peak {peak.Mean:F4} at {AxisName(s.Axis)} {peak.X:G4}, neighbours {peak.LeftMean:F4} / {peak.RightMean:F4}" +
                         (threshold is { } t ? $"; interpolation threshold (train error <= {InterpolationError:P0}) at {t:G4}" : "; the training error never reaches the threshold"));
        }
        verdicts.AddRange(MemorisationPhases.Judge(phases));
        findings.AddRange(phases.Select(p => p.Describe()));
        if (s.Axis == DescentAxis.Features)
            findings.Add($"minimum-norm RFF: the interpolation threshold is N = n = {s.TrainSize} features (ratio 1)");
        foreach (var line in verdicts.Select(v => v.Describe()).Concat(findings)) log?.Invoke(line);

        Plot(s, summary, threshold, output);
        WriteTable(points, output.File("points.csv"));
        var report = new DoubleDescentReport(s, points, summary, threshold, peaks, verdicts, findings, clock.Elapsed.TotalSeconds, phases);
        AtomicFile.WriteAllText(output.File("double-descent.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    static string AxisName(DescentAxis axis) => axis switch
    {
        DescentAxis.Width => "width",
        DescentAxis.Epochs => "epoch",
        DescentAxis.Samples => "training samples",
        _ => "features per sample",
    };

    static string I(double v) => ((int)v).ToString(CultureInfo.InvariantCulture);

    /// <summary>The sweep of training runs for the width, samples or epochs axis.</summary>
    public static SweepSpec Spec(DoubleDescentSettings s)
    {
        var args = new List<SweepArgument>
        {
            new("model", new[] { s.Model }),
            new("epochs", new[] { s.Epochs.ToString(CultureInfo.InvariantCulture) }),
            new("optimizer", new[] { s.Optimizer }),
            new("lr", new[] { s.LearningRate.ToString("R", CultureInfo.InvariantCulture) }),
            new("momentum", new[] { "0" }),
            new("batch-size", new[] { "128" }),
            new("test-size", new[] { s.TestSize.ToString(CultureInfo.InvariantCulture) }),
            new("data-seed", new[] { "0" }),
            new("save-logits", Array.Empty<string>()),
            new("checkpoint-every", new[] { (s.Axis == DescentAxis.Epochs ? s.EvalEvery : 0).ToString(CultureInfo.InvariantCulture) }),
        };
        if (s.LabelNoise > 0) args.Add(new("label-noise", new[] { s.LabelNoise.ToString("R", CultureInfo.InvariantCulture) }));
        if (s.WeightDecay > 0) args.Add(new("weight-decay", new[] { s.WeightDecay.ToString("R", CultureInfo.InvariantCulture) }));
        if (s.AnnealEpoch is { } anneal)
        {
            args.Add(new("schedule", new[] { "step" }));
            args.Add(new("anneal-epoch", new[] { anneal.ToString(CultureInfo.InvariantCulture) }));
        }
        if (s.SiSharpnessEvery is { } every) args.Add(new("si-sharpness", new[] { every.ToString(CultureInfo.InvariantCulture) }));
        if (s.DataDir is not null) args.Add(new("data-dir", new[] { Path.GetFullPath(s.DataDir) }));
        if (s.Axis != DescentAxis.Width) args.Add(new("width", new[] { s.Width.ToString(CultureInfo.InvariantCulture) }));
        if (s.Axis != DescentAxis.Samples) args.Add(new("train-size", new[] { s.TrainSize.ToString(CultureInfo.InvariantCulture) }));
        var seeds = new SweepAxis("seed", s.SeedsOrDefault.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToList());
        var grid = s.Axis switch
        {
            DescentAxis.Width => new[] { new SweepAxis("width", s.AxisValues().Select(I).ToList()), seeds },
            DescentAxis.Samples => new[] { new SweepAxis("train-size", s.AxisValues().Select(I).ToList()), seeds },
            _ => new[] { seeds },
        };
        return new SweepSpec($"double-descent-{s.Axis.ToString().ToLowerInvariant()}", new[] { "train" }, args, grid, new SweepResources());
    }

    static IReadOnlyList<DescentPoint> FromFinalPredictions(DoubleDescentSettings s, SweepDirectory sweep) =>
        sweep.Tasks.Select(task =>
        {
            var folder = sweep.TaskFolder(task);
            double x = double.Parse(task.Parameters.First(p => p.Key is "width" or "train-size").Value, CultureInfo.InvariantCulture);
            int seed = int.Parse(task.Parameters.First(p => p.Key == "seed").Value, CultureInfo.InvariantCulture);
            return Evaluate(x, seed, Predictions.Read(folder, "train"), Predictions.Read(folder, "test"));
        }).ToList();

    /// <summary>Epochs axis: every checkpoint of every seed's run is evaluated on its training and test data.</summary>
    static IReadOnlyList<DescentPoint> FromCheckpoints(DoubleDescentSettings s, SweepDirectory sweep, Device device, Action<string>? log)
    {
        var points = new List<DescentPoint>();
        foreach (var task in sweep.Tasks)
        {
            var run = RunDirectory.Open(sweep.TaskFolder(task));
            var settings = run.ReadManifest().SettingsAs<TrainRunSettings>();
            var steps = MetricsFile.Read(run.File(MetricsFile.FileName)).ToDictionary(r => r.Step, r => r.Epoch);
            using var data = settings.Data.Load(settings.Training.Seed, device);
            foreach (var file in run.TrajectoryCheckpoints())
            {
                long step = long.Parse(Path.GetFileNameWithoutExtension(file)["step-".Length..], CultureInfo.InvariantCulture);
                if (!steps.TryGetValue(step, out long epoch) || epoch % s.EvalEvery != 0) continue;
                using var model = Checkpoint.Load(file, device);
                points.Add(Evaluate(epoch, settings.Training.Seed, Logits(model, data.Train), Logits(model, data.Test)));
            }
            log?.Invoke($"seed {settings.Training.Seed}: {points.Count(p => p.Seed == settings.Training.Seed)} checkpoints evaluated");
        }
        return points;
    }

    static Predictions Logits(LandscapeModel model, Dataset data)
    {
        using var logits = Evaluation.Logits(model, data);
        using var labels = data.Labels.cpu();
        int n = (int)logits.shape[0], c = (int)logits.shape[1];
        var flat = logits.data<float>().ToArray();
        var matrix = new float[n, c];
        Buffer.BlockCopy(flat, 0, matrix, 0, flat.Length * sizeof(float));
        return new Predictions(matrix, labels.data<long>().ToArray());
    }

    /// <summary>Errors from argmax; NLL raw; calibrated NLL with the temperature fitted on one half of the test set and measured on the other (2 folds x 5 repeats).</summary>
    static DescentPoint Evaluate(double x, int seed, Predictions train, Predictions test)
    {
        var member = Single(test);
        var cnll = CalibratedNll.Evaluate(member);
        return new DescentPoint(x, seed, 1 - Single(train).Ensemble().Accuracy(), 1 - member.Ensemble().Accuracy(), member.Ensemble().Nll(),
            cnll.Mean, cnll.Temperatures.Average());
    }

    static MemberLogits Single(Predictions p)
    {
        var logits = new double[1, p.Samples, p.Classes];
        for (int i = 0; i < p.Samples; i++)
            for (int k = 0; k < p.Classes; k++)
                logits[0, i, k] = p.Logits[i, k];
        return new MemberLogits(logits, p.Labels.Select(y => (int)y).ToList());
    }

    /// <summary>Belkin's random-feature model: one-hot targets, Gaussian-kernel features with the median-distance bandwidth, minimum-norm fit.</summary>
    static IReadOnlyList<DescentPoint> RandomFeatures(DoubleDescentSettings s, Device device, Action<string>? log)
    {
        using var data = new DataSettings(DataDir: s.DataDir, TrainSize: s.TrainSize, TestSize: s.TestSize, LabelNoise: s.LabelNoise, DataSeed: 0).Load(0, CPU);
        using var xTrain = data.Train.Inputs.flatten(1).to(ScalarType.Float64);
        using var xTest = data.Test.Inputs.flatten(1).to(ScalarType.Float64);
        using var yTrain = nn.functional.one_hot(data.Train.Labels, data.Train.Classes).to(ScalarType.Float64);
        using var yTest = nn.functional.one_hot(data.Test.Labels, data.Test.Classes).to(ScalarType.Float64);
        double bandwidth = RandomFourierFeatures.MedianDistance(xTrain);
        log?.Invoke($"RFF: {s.TrainSize} training images, bandwidth {bandwidth:G4} (median pairwise distance)");
        var points = new List<DescentPoint>();
        int maxFeatures = s.AxisValues().Max(r => Math.Max(1, (int)Math.Round(r * s.TrainSize)));
        foreach (int seed in s.SeedsOrDefault)
        {
            // Nested features: the model with N features uses the first N of one draw per seed (each is a valid draw
            // of N features), so the features are computed once per seed.
            using var rff = new RandomFourierFeatures((int)xTrain.shape[1], maxFeatures, bandwidth, seed);
            using var allTrain = rff.Transform(xTrain);
            using var allTest = rff.Transform(xTest);
            foreach (double ratio in s.AxisValues())
            {
                using var scope = NewDisposeScope();
                int features = Math.Max(1, (int)Math.Round(ratio * s.TrainSize));
                double rescale = Math.Sqrt((double)maxFeatures / features); // back to sqrt(2/N) features
                var phiTrain = allTrain[.., ..features].mul(rescale);
                var coefficients = RandomFourierFeatures.MinimumNormFit(phiTrain, yTrain);
                var fitTrain = phiTrain.matmul(coefficients);
                var fitTest = allTest[.., ..features].mul(rescale).matmul(coefficients);
                double trainError = 1 - fitTrain.argmax(1).eq(data.Train.Labels).to(ScalarType.Float64).mean().item<double>();
                double testError = 1 - fitTest.argmax(1).eq(data.Test.Labels).to(ScalarType.Float64).mean().item<double>();
                double testMse = fitTest.sub(yTest).pow(2).sum(1).mean().item<double>();
                points.Add(new DescentPoint(ratio, seed, trainError, testError, double.NaN, double.NaN, double.NaN, testMse));
                log?.Invoke($"RFF seed {seed}, N = {features} ({ratio:G3} n): train error {trainError:P2}, test error {testError:P2}, test MSE {testMse:G4}, |a| {coefficients.norm().item<double>():G4}");
            }
        }
        return points;
    }

    static IReadOnlyList<DescentSummary> Summarise(IReadOnlyList<DescentPoint> points) =>
        points.GroupBy(p => p.X).OrderBy(g => g.Key).Select(g =>
        {
            (double, double) Ms(Func<DescentPoint, double> f)
            {
                var v = g.Select(f).ToList();
                double mean = v.Average();
                return (mean, v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0);
            }
            var (tr, trs) = Ms(p => p.TrainError);
            var (te, tes) = Ms(p => p.TestError);
            var (nll, nlls) = Ms(p => p.TestNll);
            var (cn, cns) = Ms(p => p.TestCnll);
            double? mse = g.First().TestMse is null ? null : g.Average(p => p.TestMse!.Value);
            return new DescentSummary(g.Key, g.Count(), tr, trs, te, tes, nll, nlls, cn, cns, mse);
        }).ToList();

    static void Plot(DoubleDescentSettings s, IReadOnlyList<DescentSummary> summary, double? threshold, RunDirectory output)
    {
        var x = summary.Select(r => r.X).ToList();
        var scale = s.Axis == DescentAxis.Epochs ? AxisScale.Linear : AxisScale.Log10;
        var errors = new LinePlot($"Double descent ({AxisName(s.Axis)}, {s.LabelNoise:P0} label noise)", AxisName(s.Axis), "error") { XScale = scale, Markers = true }
            .Add("train error (noisy labels)", x, summary.Select(r => r.TrainError).ToList())
            .Add("test error", x, summary.Select(r => r.TestError).ToList());
        if (threshold is { } t) errors.AddVerticalLine(t, "interpolation");
        errors.Save(output.File("errors"));
        if (s.Axis == DescentAxis.Features)
        {
            var mse = new LinePlot("Random Fourier features, minimum-norm fit", "features / training samples", "test MSE (one-hot)") { XScale = AxisScale.Log10, YScale = AxisScale.Log10, Markers = true }
                .Add("test MSE", x, summary.Select(r => r.TestMse ?? double.NaN).ToList())
                .AddVerticalLine(1, "N = n");
            mse.Save(output.File("mse"));
            return;
        }
        var nll = new LinePlot("Test NLL before and after temperature calibration", AxisName(s.Axis), "test NLL") { XScale = scale, Markers = true }
            .Add("uncalibrated", x, summary.Select(r => r.TestNll).ToList())
            .Add("calibrated (temperature on held-out half)", x, summary.Select(r => r.TestCnll).ToList());
        if (threshold is { } t2) nll.AddVerticalLine(t2, "interpolation");
        nll.Save(output.File("nll"));
    }

    /// <summary>
    /// Epochs axis: test loss, weight norm (of the scale-invariant weights when the model has them) and, when logged,
    /// the scale-invariant sharpness lambda_max * rho^2 per epoch and seed, annealing marked: the memorisation phase
    /// (train loss ~0, norm up, sharper, test loss up) and the consolidation phase of the talk, seen or refuted.
    /// </summary>
    static void PlotMemorisation(DoubleDescentSettings s, SweepDirectory sweep, RunDirectory output)
    {
        var runs = sweep.Tasks.Select(t => (Seed: t.Parameters.First(p => p.Key == "seed").Value, Rows: MetricsFile.Read(Path.Combine(sweep.TaskFolder(t), MetricsFile.FileName)))).ToList();
        void Figure(string file, string title, string y, Func<MetricsRow, double?> value, AxisScale scale)
        {
            var plot = new LinePlot(title, "epoch", y) { YScale = scale };
            int added = 0;
            foreach (var (seed, rows) in runs)
            {
                var kept = rows.Where(r => value(r) is { } v && double.IsFinite(v)).ToList();
                if (kept.Count == 0) continue;
                plot.Add($"seed {seed}", kept.Select(r => (double)r.Epoch).ToList(), kept.Select(r => value(r)!.Value).ToList());
                added++;
            }
            if (added == 0) return;
            if (s.AnnealEpoch is { } a) plot.AddVerticalLine(a, "anneal");
            plot.Save(output.File(file));
        }
        double? Extra(MetricsRow r, string column) => r.Extra.TryGetValue(column, out var v) ? v : null;
        Figure("epochs-test-loss", "Test loss per epoch", "test loss", r => r.TestLoss, AxisScale.Linear);
        Figure("epochs-weight-norm", "Weight norm per epoch", "weight norm (scale-invariant weights where the model has them)",
            r => Extra(r, "si_norm") ?? r.WeightNorm, AxisScale.Linear);
        Figure("epochs-si-sharpness", "Scale-invariant sharpness per epoch", "lambda_max * rho^2", r => Extra(r, "si_sharpness"), AxisScale.Log10);
    }

    static void WriteTable(IReadOnlyList<DescentPoint> points, string path)
    {
        string F(double v) => MetricsRow.Format(v);
        var csv = new StringBuilder("x,seed,train_error,test_error,test_nll,test_cnll,temperature,test_mse\n");
        foreach (var p in points)
            csv.Append($"{F(p.X)},{p.Seed},{F(p.TrainError)},{F(p.TestError)},{F(p.TestNll)},{F(p.TestCnll)},{F(p.Temperature)},{(p.TestMse is { } m ? F(m) : "")}\n");
        AtomicFile.WriteAllText(path, csv.ToString());
    }
}
