using LossLandscape.Connectivity;
using LossLandscape.Geometry;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments.Probes;

/// <param name="Grid">Values of t; 0 is the first model, 1 the second (Goodfellow et al. look beyond both ends too).</param>
public sealed record InterpolationSettings(string Grid = "0:1:21", int? TrainSamples = null, int? TestSamples = null, int Seed = 0);

public sealed record InterpolationReport(string From, string To, IReadOnlyList<PathPoint> Points, BarrierResult TrainLossBarrier,
    BarrierResult TestErrorBarrier, double Distance, double Seconds);

/// <summary>Loss and error along the segment between two models of one architecture (BatchNorm re-estimated at every t).</summary>
public static class InterpolationProbe
{
    public static InterpolationReport Run(TrainedModel a, TrainedModel b, InterpolationSettings s, RunDirectory output, Device device,
        Action<int, int>? progress = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (a.Model.Spec != b.Model.Spec) throw new LandscapeException($"cannot interpolate {a.Model.Spec} and {b.Model.Spec}: different architectures");
        using var split = a.LoadData(device);
        using var train = new ProbeData(DataPart.Train, s.TrainSamples, s.Seed).Select(split);
        using var test = new ProbeData(DataPart.Test, s.TestSamples, s.Seed).Select(split);
        using var wa = ParameterVector.Get(a.Model);
        using var wb = ParameterVector.Get(b.Model);
        var t = GridAxis.Parse(s.Grid);
        var points = LinearPath.Measure(a.Model, wa, wb, new Data.DataSplit(train, test), t, split.Train, progress, EndpointStatistics.Of(a.Model, b.Model));
        var ts = points.Select(p => p.T).ToArray();
        var report = new InterpolationReport(a.CheckpointPath, b.CheckpointPath, points,
            LossBarrier.Of(ts, points.Select(p => p.TrainLoss).ToArray()),
            LossBarrier.Of(ts, points.Select(p => 1 - p.TestAccuracy).ToArray()),
            wb.sub(wa).norm().ToDouble(), clock.Elapsed.TotalSeconds);
        GridFile.WriteCurve(output.File("path.csv"), new Curve(new GridColumn("t", ts), new[]
        {
            new GridColumn("train_loss", points.Select(p => p.TrainLoss).ToArray()),
            new GridColumn("train_acc", points.Select(p => p.TrainAccuracy).ToArray()),
            new GridColumn("test_loss", points.Select(p => p.TestLoss).ToArray()),
            new GridColumn("test_acc", points.Select(p => p.TestAccuracy).ToArray()),
        }));
        new LinePlot("Linear interpolation between two models", "t", "loss / error") { Markers = ts.Length <= 41 }
            .Add("train loss", ts, points.Select(p => p.TrainLoss).ToArray())
            .Add("test loss", ts, points.Select(p => p.TestLoss).ToArray())
            .Add("test error", ts, points.Select(p => 1 - p.TestAccuracy).ToArray())
            .Save(output.File("path"));
        AtomicFile.WriteAllText(output.File("interpolation.json"), System.Text.Json.JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }
}
