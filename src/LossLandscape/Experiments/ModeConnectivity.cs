using System.Text.Json;
using LossLandscape.Connectivity;
using LossLandscape.Data;
using LossLandscape.Experiments.Probes;
using LossLandscape.Geometry;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments;

/// <summary>
/// Connecting two minima (Garipov et al. 2018): the straight segment, and optionally a Bezier or PolyChain curve
/// with trained bends, measured at the same t; the plane through (w1, bend, w2) with the curve drawn on it.
/// </summary>
/// <param name="Points">Points of the curve including both endpoints (Garipov's "3 bends" = one trainable bend).</param>
/// <param name="PlaneSamples">Training samples for the plane's loss surface (a seeded subset keeps it affordable on a CPU).</param>
public sealed record ConnectSettings(
    CurveKind? Curve = CurveKind.Bezier,
    int Points = 3,
    CurveTrainingSettings? Training = null,
    string TGrid = "0:1:61",
    bool Plane = true,
    string PlaneGrid = "-0.2:1.2:21",
    int PlaneSamples = 10000,
    int? TrainSamples = null,
    int? TestSamples = null,
    int Seed = 0)
{
    public CurveTrainingSettings TrainingOrDefault => Training ?? new CurveTrainingSettings(Seed: Seed);
}

/// <summary>Summary numbers of one path: its barrier (train loss), worst test error and that of the endpoints.</summary>
public sealed record PathSummary(string Path, double TrainLossBarrier, double WorstTestError, double AtT, double EndpointMeanTestError,
    double MaxTrainLoss)
{
    public double ExcessTestError => WorstTestError - EndpointMeanTestError;

    public static PathSummary Of(string name, IReadOnlyList<PathPoint> points)
    {
        var t = points.Select(p => p.T).ToArray();
        var worst = points.MaxBy(p => 1 - p.TestAccuracy)!;
        double endpoints = ((1 - points[0].TestAccuracy) + (1 - points[^1].TestAccuracy)) / 2;
        return new PathSummary(name, LossBarrier.Of(t, points.Select(p => p.TrainLoss).ToArray()).Height, 1 - worst.TestAccuracy, worst.T, endpoints,
            points.Max(p => p.TrainLoss));
    }
}

/// <param name="BaseTestErrors">Test error of A and B with their own weights and BatchNorm statistics: the path's t = 0 and
/// t = 1 must agree with these (for BN nets up to the difference between re-estimated and running statistics).</param>
public sealed record ConnectReport(string From, string To, double Distance, double[] BaseTestErrors, PathSummary Segment, PathSummary? Curve,
    IReadOnlyList<PathPoint> SegmentPoints, IReadOnlyList<PathPoint>? CurvePoints, IReadOnlyList<double>? CurveEpochLosses,
    double? CurveTrainingSeconds, double Seconds);

public static class ModeConnectivity
{
    public static ConnectReport Run(TrainedModel a, TrainedModel b, ConnectSettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (a.Model.Spec != b.Model.Spec) throw new LandscapeException($"cannot connect {a.Model.Spec} and {b.Model.Spec}: different architectures");
        using var split = a.LoadData(device);
        using var train = new ProbeData(DataPart.Train, s.TrainSamples, s.Seed).Select(split);
        using var test = new ProbeData(DataPart.Test, s.TestSamples, s.Seed).Select(split);
        var measured = new DataSplit(train, test);
        var model = a.Model;
        using var wa = ParameterVector.Get(a.Model);
        using var wb = ParameterVector.Get(b.Model);
        var baseErrors = new[] { a.Model, b.Model }.Select(m => 1 - Evaluation.Evaluate(m, test).Accuracy).ToArray();
        var t = GridAxis.Parse(s.TGrid);
        var endpoints = EndpointStatistics.Of(a.Model, b.Model);
        var segment = LinearPath.Measure(model, wa, wb, measured, t, split.Train, endpoints: endpoints);
        var segmentSummary = PathSummary.Of("segment", segment);
        log?.Invoke($"segment: train-loss barrier {segmentSummary.TrainLossBarrier:G4}, worst test error {segmentSummary.WorstTestError:P2} at t={segmentSummary.AtT:G3} " +
                    $"(endpoints {segmentSummary.EndpointMeanTestError:P2})");

        IReadOnlyList<PathPoint>? curvePoints = null;
        PathSummary? curveSummary = null;
        CurveTrainingResult? training = null;
        if (s.Curve is { } kind)
        {
            using var curve = new ConnectingCurve(kind, wa, wb, s.Points);
            training = CurveTraining.Train(curve, model, split.Train, s.TrainingOrDefault,
                (epoch, loss) => log?.Invoke($"curve epoch {epoch}/{s.TrainingOrDefault.Epochs}: objective {loss:G4}"));
            curvePoints = CurvePath.Measure(model, curve, measured, t, split.Train, endpoints: endpoints);
            curveSummary = PathSummary.Of(kind.ToString().ToLowerInvariant(), curvePoints);
            log?.Invoke($"{curveSummary.Path}: train-loss barrier {curveSummary.TrainLossBarrier:G4}, worst test error {curveSummary.WorstTestError:P2} at t={curveSummary.AtT:G3}; " +
                        $"trained in {training.Elapsed.TotalSeconds:F0} s");
            Safetensors.Save(output.File("curve.safetensors"), curve.ControlPoints().Select((p, i) => KeyValuePair.Create($"point{i}", p)));
            if (s.Plane && curve.Bends.Count > 0) PlotPlane(model, curve, split, s, output, device);
        }
        WritePaths(output, segment, curvePoints, s.Curve);
        var report = new ConnectReport(a.CheckpointPath, b.CheckpointPath, wb.sub(wa).norm().ToDouble(), baseErrors, segmentSummary, curveSummary, segment, curvePoints,
            training?.EpochLosses, training?.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(output.File("connect.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    static void WritePaths(RunDirectory output, IReadOnlyList<PathPoint> segment, IReadOnlyList<PathPoint>? curve, CurveKind? kind)
    {
        var t = segment.Select(p => p.T).ToArray();
        var columns = new List<GridColumn>();
        void Add(string prefix, IReadOnlyList<PathPoint> points)
        {
            columns.Add(new GridColumn($"{prefix}_train_loss", points.Select(p => p.TrainLoss).ToArray()));
            columns.Add(new GridColumn($"{prefix}_train_acc", points.Select(p => p.TrainAccuracy).ToArray()));
            columns.Add(new GridColumn($"{prefix}_test_loss", points.Select(p => p.TestLoss).ToArray()));
            columns.Add(new GridColumn($"{prefix}_test_error", points.Select(p => 1 - p.TestAccuracy).ToArray()));
        }
        Add("segment", segment);
        if (curve is not null) Add("curve", curve);
        GridFile.WriteCurve(output.File("paths.csv"), new Runs.Curve(new GridColumn("t", t), columns));

        string name = kind?.ToString() ?? "";
        var plot = new LinePlot("Segment" + (curve is null ? "" : $" and {name} curve") + " between two minima", "t", "train loss / test error")
            .Add("segment: train loss", t, segment.Select(p => p.TrainLoss).ToArray())
            .Add("segment: test error", t, segment.Select(p => 1 - p.TestAccuracy).ToArray());
        if (curve is not null)
            plot.Add($"{name}: train loss", t, curve.Select(p => p.TrainLoss).ToArray())
                .Add($"{name}: test error", t, curve.Select(p => 1 - p.TestAccuracy).ToArray());
        plot.Save(output.File("paths"));
    }

    /// <summary>
    /// The plane through w1, the first bend and w2, in coordinates where w1 = (0, 0), w2 = (1, 0) and the bend has
    /// y = 1: x in units of |w2 - w1|, y in units of the bend's distance from that line (Garipov et al.'s figure).
    /// </summary>
    static void PlotPlane(Models.LandscapeModel model, ConnectingCurve curve, DataSplit split, ConnectSettings s, RunDirectory output, Device device)
    {
        using var bend = curve.Bends[0].detach().clone();
        using var plane = new Plane(curve.Start, bend, curve.End);
        var (bx, by) = plane.Coordinates(bend);
        using var d1 = plane.U.mul(plane.ULength);
        using var d2 = plane.V.mul(by);
        using var data = new ProbeData(DataPart.Train, s.PlaneSamples, s.Seed).Select(split);
        var axis = GridAxis.Parse(s.PlaneGrid);
        var frame = new SurfaceFrame(curve.Start, d1, d2, data);
        using ISurfaceEvaluator evaluator = MlpSurfaceEvaluator.Supports(model)
            ? new MlpSurfaceEvaluator(model, frame)
            : new PointwiseEvaluator(model, frame, BatchNormMode.Recompute, data); // statistics from the same subset keep BN nets affordable
        var points = LossSurface.Compute(evaluator, axis, axis);
        var surface = Surface.Empty(axis.Values.ToArray(), axis.Values.ToArray(), new[] { "train_loss", "train_acc" });
        for (int i = 0; i < points.Count; i++)
        {
            surface["train_loss"].Z[i / axis.Count, i % axis.Count] = points[i].Loss;
            surface["train_acc"].Z[i / axis.Count, i % axis.Count] = points[i].Accuracy;
        }
        GridFile.WriteSurface(output.File("plane.csv"), surface);
        var curveT = Enumerable.Range(0, 61).Select(i => i / 60.0).ToList();
        var projected = curveT.Select(t => { using var w = curve.At(t); var (x, y) = plane.Coordinates(w); return (x / plane.ULength, y / by); }).ToList();
        new ContourPlot("Train loss on the plane through w1, bend, w2", surface.Alpha, surface.Beta, surface["train_loss"].Z)
            { LogValues = true, ValueLabel = "log10 train loss", XLabel = "x (w1 = 0, w2 = 1)", YLabel = "y (bend = 1)" }
            .AddCurve($"{curve.Kind} curve", projected.Select(p => p.Item1).ToArray(), projected.Select(p => p.Item2).ToArray())
            .AddPoint("w1", 0, 0).AddPoint("bend", bx / plane.ULength, 1).AddPoint("w2", 1, 0)
            .Save(output.File("plane"));
    }
}
