using System.Text.Json;
using LossLandscape.Connectivity;
using LossLandscape.Geometry;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments;

/// <param name="LossThreshold">Training loss (mean over the epoch) below which the run counts as interpolating.</param>
/// <param name="SegmentGrid">Points on each segment between successive late checkpoints.</param>
public sealed record DriftSettings(double LossThreshold = 0.05, string SegmentGrid = "0:1:11", int? TrainSamples = 10000, int Seed = 0);

/// <param name="Distance">|w_k - w_ref|, w_ref the first checkpoint at or below the loss threshold.</param>
/// <param name="Angle">Angle in degrees between w_k and w_ref (as vectors from the origin).</param>
/// <param name="DirectionAngle">Angle in degrees between the displacement w_k - w_ref and w_ref: near 0 means the walk mostly
/// grows the norm, near 90 means it moves along the sphere.</param>
/// <param name="SegmentBarrier">Train-loss barrier on the segment from the previous late checkpoint to this one.</param>
public sealed record DriftPoint(long Step, int Epoch, double TrainLoss, double Norm, double Distance, double Angle, double DirectionAngle,
    double SegmentBarrier);

public sealed record DriftReport(string Run, long? ReferenceStep, IReadOnlyList<DriftPoint> Points, double Seconds);

/// <summary>
/// Drift along the set of (near-)zero training loss (the talk: "after reaching zero train loss a drift within
/// this manifold is possible"): from the first checkpoint whose epoch's training loss is below a threshold, how
/// far later checkpoints move, by distance and by angle (without weight decay cross-entropy mostly grows the
/// norm, so the angle tells whether the direction changes too), and whether the straight segments between
/// successive late checkpoints stay at low loss.
/// </summary>
public static class Drift
{
    public static DriftReport Run(TrainedModel source, DriftSettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = source.Run ?? throw new LandscapeException("drift needs a run folder with trajectory checkpoints");
        var rows = MetricsFile.Read(run.MetricsPath);
        var checkpoints = run.TrajectoryCheckpoints().Select(f => (Path: f, Step: long.Parse(Path.GetFileNameWithoutExtension(f)["step-".Length..]))).ToList();
        var lossAtStep = rows.ToDictionary(r => r.Step, r => (r.TrainLoss, (int)r.Epoch));
        var late = checkpoints.Where(c => lossAtStep.TryGetValue(c.Step, out var v) && v.TrainLoss <= s.LossThreshold).ToList();
        if (late.Count < 2)
            throw new LandscapeException($"{run.Path}: fewer than two checkpoints with training loss <= {s.LossThreshold} " +
                                         $"(lowest epoch loss {rows.Min(r => r.TrainLoss):G3}); train longer, on fewer samples, or raise --loss-threshold");
        using var split = source.LoadData(device);
        using var train = new Probes.ProbeData(Probes.DataPart.Train, s.TrainSamples, s.Seed).Select(split);
        var data = new Data.DataSplit(train, train);
        var grid = GridAxis.Parse(s.SegmentGrid);
        Tensor Weights(string path) { using var m = Checkpoint.Load(path, device); return ParameterVector.Get(m); }
        using var reference = Weights(late[0].Path);
        double referenceNorm = reference.norm().ToDouble();
        var points = new List<DriftPoint>();
        Tensor? previous = null;
        foreach (var (path, step) in late)
        {
            var w = Weights(path);
            using var displacement = w.sub(reference);
            double distance = displacement.norm().ToDouble(), norm = w.norm().ToDouble();
            double angle = Degrees(w.dot(reference).ToDouble() / (norm * referenceNorm));
            double direction = distance == 0 ? 0 : Degrees(displacement.dot(reference).ToDouble() / (distance * referenceNorm));
            double barrier = 0;
            if (previous is not null)
            {
                var path_ = LinearPath.Measure(source.Model, previous, w, data, grid, split.Train);
                barrier = LossBarrier.Of(path_.Select(p => p.T).ToArray(), path_.Select(p => p.TrainLoss).ToArray()).Height;
            }
            var (loss, epoch) = lossAtStep[step];
            points.Add(new DriftPoint(step, epoch, loss, norm, distance, angle, direction, barrier));
            log?.Invoke($"epoch {epoch}: |w| {norm:G5}, distance {distance:G4}, angle {angle:F2} deg, segment barrier {barrier:G3}");
            previous?.Dispose();
            previous = w;
        }
        previous?.Dispose();
        var report = new DriftReport(run.Path, late[0].Step, points, clock.Elapsed.TotalSeconds);
        var epochs = points.Select(p => (double)p.Epoch).ToArray();
        GridFile.WriteCurve(output.File("drift.csv"), new Runs.Curve(new GridColumn("epoch", epochs), new[]
        {
            new GridColumn("train_loss", points.Select(p => p.TrainLoss).ToArray()),
            new GridColumn("norm", points.Select(p => p.Norm).ToArray()),
            new GridColumn("distance", points.Select(p => p.Distance).ToArray()),
            new GridColumn("angle_deg", points.Select(p => p.Angle).ToArray()),
            new GridColumn("displacement_angle_deg", points.Select(p => p.DirectionAngle).ToArray()),
            new GridColumn("segment_barrier", points.Select(p => p.SegmentBarrier).ToArray()),
        }));
        new LinePlot("Drift after the training loss reaches ~0", "epoch", "distance / degrees") { Markers = true }
            .Add("distance from the first interpolating point", epochs, points.Select(p => p.Distance).ToArray())
            .Add("angle to it (deg)", epochs, points.Select(p => p.Angle).ToArray())
            .Save(output.File("drift"));
        AtomicFile.WriteAllText(output.File("drift.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    static double Degrees(double cosine) => Math.Acos(Math.Clamp(cosine, -1, 1)) * 180 / Math.PI;
}
