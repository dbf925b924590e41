using System.Text.Json;
using LossLandscape.Geometry;
using LossLandscape.Runs;
using LossLandscape.Sharpness;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments.Probes;

public enum SharpnessMeasure { Epsilon, Adaptive, PacBayes, PacBayesMagnitude, Width }

/// <summary>Which flatness measures to take, on which data (default: 2,048 training samples), with each measure's settings.</summary>
public sealed record SharpnessSettings(
    SharpnessMeasure[]? Measures = null,
    ProbeData? Data = null,
    EpsilonSharpnessSettings? Epsilon = null,
    AdaptiveSharpnessSettings? Adaptive = null,
    PacBayesSettings? PacBayes = null,
    DirectionalWidthSettings? Width = null)
{
    public SharpnessMeasure[] MeasuresOrAll => Measures is { Length: > 0 } m ? m : Enum.GetValues<SharpnessMeasure>();
    public ProbeData DataOrDefault => Data ?? new ProbeData(DataPart.Train, 2048);
}

public sealed record SharpnessReport(string Checkpoint, long Samples, bool BatchNorm, IReadOnlyList<SharpnessResult> Results, double Seconds);

/// <summary>Flatness of a trained model's minimum by several measures, written to sharpness.json and sharpness.csv.</summary>
public static class SharpnessProbe
{
    public static SharpnessReport Run(TrainedModel source, SharpnessSettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var split = source.LoadData(device);
        using var data = s.DataOrDefault.Select(split);
        using var loss = new WeightSpaceLoss(source.Model, data);
        using var w = ParameterVector.Get(source.Model);
        var layout = ParameterLayout.Of(source.Model);
        var results = new List<SharpnessResult>();
        foreach (var measure in s.MeasuresOrAll)
        {
            var r = measure switch
            {
                SharpnessMeasure.Epsilon => EpsilonSharpness.Measure(loss, w, s.Epsilon ?? new EpsilonSharpnessSettings()),
                SharpnessMeasure.Adaptive => AdaptiveSharpness.Measure(loss, w, s.Adaptive ?? new AdaptiveSharpnessSettings()),
                SharpnessMeasure.PacBayes => PacBayesFlatness.Measure(loss, w, s.PacBayes ?? new PacBayesSettings()),
                SharpnessMeasure.PacBayesMagnitude => PacBayesFlatness.Measure(loss, w, (s.PacBayes ?? new PacBayesSettings()) with { MagnitudeAware = true }),
                SharpnessMeasure.Width => DirectionalWidth.Measure(loss, w, layout, s.Width ?? new DirectionalWidthSettings()),
                _ => throw new LandscapeException($"unknown measure {measure}"),
            };
            results.Add(r);
            log?.Invoke($"{r.Measure}: {r.Value:G5} ({r.Detail})");
        }
        var report = new SharpnessReport(source.CheckpointPath, data.Count, source.Model.HasBatchNorm, results, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(output.File("sharpness.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        AtomicFile.WriteAllText(output.File("sharpness.csv"), "measure,value,base_loss,evaluations,detail\n" +
            string.Concat(results.Select(r => $"{r.Measure},{GridFile.Format(r.Value)},{GridFile.Format(r.BaseLoss)},{r.Evaluations},\"{r.Detail}\"\n")));
        return report;
    }
}
