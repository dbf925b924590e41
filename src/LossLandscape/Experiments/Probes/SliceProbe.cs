using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Reporting;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments.Probes;

public enum SliceDirections { Random, Filter, Layer, Pca, Plane }

public enum EvaluatorChoice { Auto, Batched, Pointwise }

/// <summary>
/// Settings of a 1-D or 2-D loss slice (Li et al. 2018); defaults follow their code (filter-normalised, -1:1:51).
/// Without a grid, PCA and plane slices cover their trajectory or three points with a 20% margin (51 and 21
/// points per axis, the latter as in Garipov et al.).
/// </summary>
/// <param name="PlaneCheckpoints">For <see cref="SliceDirections.Plane"/>: two further checkpoints; the plane passes through the model and both.</param>
public sealed record SliceSettings(
    int Dimensions = 2,
    SliceDirections Directions = SliceDirections.Filter,
    string? Grid = null,
    string? Grid2 = null,
    ProbeData? Data = null,
    BatchNormMode? BatchNorm = null,
    bool IncludeBiasAndBatchNorm = false,
    int Seed = 0,
    EvaluatorChoice Evaluator = EvaluatorChoice.Auto,
    string[]? PlaneCheckpoints = null);

public sealed record SliceResult(string CsvPath, SavedFigure Figure, int Points, int Resumed, string Evaluator, TimeSpan Elapsed, double CenterLoss, double MinLoss);

/// <summary>
/// A loss slice around a trained model: chooses directions, evaluates the grid (resuming from a partial CSV),
/// writes CSV + .npy, the directions, and a PNG/SVG figure (for 2-D a contour with the trajectory when the
/// directions come from its PCA).
/// </summary>
public static class SliceProbe
{
    public static SliceResult Run(TrainedModel source, SliceSettings settings, RunDirectory output, Device device, Action<int, int>? progress = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (settings.Dimensions is not (1 or 2)) throw new LandscapeException($"--dims must be 1 or 2, got {settings.Dimensions}");
        var probe = settings.Data ?? new ProbeData();
        var model = source.Model;
        using var split = source.LoadData(device);
        using var data = probe.Select(split);
        var layout = ParameterLayout.Of(model);
        using var center = ParameterVector.Get(model);
        var (first, second, overlay) = ChooseDirections(source, settings, center, layout, device);
        var alpha = settings.Grid is { } g ? GridAxis.Parse(g) : AutoAxis(overlay, settings.Directions, x: true);
        var beta = settings.Dimensions == 2
            ? settings.Grid2 is { } g2 ? GridAxis.Parse(g2) : settings.Grid is { } g1 ? GridAxis.Parse(g1) : AutoAxis(overlay, settings.Directions, x: false)
            : null;
        Safetensors.Save(output.File("directions.safetensors"), new Dictionary<string, Tensor?> { ["center"] = center, ["first"] = first, ["second"] = second }
            .Where(kv => kv.Value is not null).Select(kv => KeyValuePair.Create(kv.Key, kv.Value!)));

        var frame = new SurfaceFrame(center, first, second, data);
        bool batched = settings.Evaluator switch
        {
            EvaluatorChoice.Batched when !MlpSurfaceEvaluator.Supports(model) =>
                throw new LandscapeException("the batched evaluator handles MLPs without BatchNorm; use --evaluator pointwise"),
            EvaluatorChoice.Batched => true,
            EvaluatorChoice.Pointwise => false,
            _ => MlpSurfaceEvaluator.Supports(model),
        };
        var mode = settings.BatchNorm ?? (model.HasBatchNorm ? BatchNormMode.Recompute : BatchNormMode.Eval);
        using ISurfaceEvaluator evaluator = batched
            ? new MlpSurfaceEvaluator(model, frame)
            : new PointwiseEvaluator(model, frame, mode, split.Train);

        // Points go to a progress file as they are measured (a killed run resumes from it); the final files are
        // written at the end: slice.csv (alpha, loss, accuracy) for 1-D, surface.csv (long form) + .npy for 2-D.
        var csv = output.File(settings.Dimensions == 1 ? "slice.csv" : "surface.csv");
        var progressCsv = output.File(settings.Dimensions == 1 ? "slice.progress.csv" : "surface.progress.csv");
        var betaValues = (beta?.Values ?? new[] { 0.0 }).ToArray();
        var done = ReadProgress(progressCsv, alpha, betaValues);
        List<SurfacePoint> points;
        using (var writer = SurfaceRowWriter.Open(progressCsv, Fields))
            points = LossSurface.Compute(evaluator, alpha, beta, done,
                chunk => { foreach (var p in chunk) writer.Append(p.Alpha, p.Beta, new[] { p.Loss, p.Accuracy }); }, progress);
        var surface = WriteResults(csv, points, alpha, betaValues, settings.Dimensions);
        File.Delete(progressCsv);
        var figure = Plot(surface, settings, probe, overlay, output);
        double centerLoss = points.MinBy(p => Math.Abs(p.Alpha) + Math.Abs(p.Beta)).Loss;
        first.Dispose();
        second?.Dispose();
        return new SliceResult(csv, figure, points.Count, done.Count, evaluator.Name, clock.Elapsed, centerLoss, points.Min(p => p.Loss));
    }

    static readonly string[] Fields = { "loss", "accuracy" };

    /// <summary>The points a killed run had already measured (none when there is no progress file).</summary>
    static List<SurfacePoint> ReadProgress(string progressCsv, GridAxis alpha, double[] betaValues)
    {
        var done = new List<SurfacePoint>();
        if (!File.Exists(progressCsv)) return done;
        var partial = GridFile.ReadSurface(progressCsv, alpha.Values.ToArray(), betaValues);
        for (int iy = 0; iy < betaValues.Length; iy++)
            for (int ix = 0; ix < alpha.Count; ix++)
                if (partial.Present[iy, ix])
                    done.Add(new SurfacePoint(alpha[ix], betaValues[iy], partial.Surface["loss"].Z[iy, ix], partial.Surface["accuracy"].Z[iy, ix]));
        return done;
    }

    /// <summary>Writes the finished grid: a 1-D curve CSV (+ .npy) or a long-form surface CSV (+ .npy per field).</summary>
    static Surface WriteResults(string csv, IReadOnlyList<SurfacePoint> points, GridAxis alpha, double[] betaValues, int dimensions)
    {
        var surface = Surface.Empty(alpha.Values.ToArray(), betaValues, Fields);
        for (int i = 0; i < points.Count; i++)
        {
            surface["loss"].Z[i / alpha.Count, i % alpha.Count] = points[i].Loss;
            surface["accuracy"].Z[i / alpha.Count, i % alpha.Count] = points[i].Accuracy;
        }
        if (dimensions == 2)
        {
            GridFile.WriteSurface(csv, surface);
            return surface;
        }
        var loss = points.Select(p => p.Loss).ToArray();
        var accuracy = points.Select(p => p.Accuracy).ToArray();
        GridFile.WriteCurve(csv, new Curve(new GridColumn("alpha", surface.Alpha), new[] { new GridColumn("loss", loss), new GridColumn("accuracy", accuracy) }));
        NpyFile.Write(GridFile.NpyPath(csv, "loss"), loss);
        NpyFile.Write(GridFile.NpyPath(csv, "accuracy"), accuracy);
        NpyFile.Write(GridFile.NpyPath(csv, "alpha"), surface.Alpha.ToArray());
        return surface;
    }

    static GridAxis AutoAxis(Overlay? overlay, SliceDirections kind, bool x)
    {
        if (overlay is null) return GridAxis.Parse("-1:1:51");
        var values = (x ? overlay.X : overlay.Y).Concat(overlay.Markers.Select(m => x ? m.X : m.Y)).ToList();
        double low = values.Min(), high = values.Max(), span = Math.Max(high - low, 1e-3);
        return new GridAxis(low - 0.2 * span, high + 0.2 * span, kind == SliceDirections.Plane ? 21 : 51);
    }

    sealed record Overlay(string Name, double[] X, double[] Y, (string Label, double X, double Y)[] Markers);

    static (Tensor First, Tensor? Second, Overlay? Overlay) ChooseDirections(TrainedModel source, SliceSettings s, Tensor center, ParameterLayout layout, Device device)
    {
        int count = s.Dimensions;
        switch (s.Directions)
        {
            case SliceDirections.Random or SliceDirections.Filter or SliceDirections.Layer:
            {
                var normalization = s.Directions switch
                {
                    SliceDirections.Filter => DirectionNormalization.Filter,
                    SliceDirections.Layer => DirectionNormalization.Layer,
                    _ => DirectionNormalization.None,
                };
                var ds = Directions.RandomNormalized(center, layout, new DirectionSettings(normalization, s.IncludeBiasAndBatchNorm, Orthogonalize: count == 2), s.Seed, count);
                return (ds[0], count == 2 ? ds[1] : null, null);
            }
            case SliceDirections.Pca:
            {
                var run = source.Run ?? throw new LandscapeException("PCA directions need a run folder with trajectory checkpoints");
                var files = run.TrajectoryCheckpoints();
                var trajectory = files.Select(f => { using var m = Checkpoint.Load(f, device); return ParameterVector.Get(m); }).ToList();
                var pca = TrajectoryPca.Compute(trajectory, center);
                foreach (var t in trajectory) t.Dispose();
                var overlay = new Overlay($"SGD path (PCA {pca.ExplainedVariance[0]:P0} + {pca.ExplainedVariance[1]:P0})",
                    pca.Coordinates.Select(c => c[0]).ToArray(), pca.Coordinates.Select(c => c[1]).ToArray(), new[] { ("final", 0.0, 0.0) });
                if (count == 2) return (pca.First, pca.Second, overlay);
                pca.Second.Dispose();
                return (pca.First, null, overlay);
            }
            case SliceDirections.Plane:
            {
                if (s.PlaneCheckpoints is not { Length: 2 }) throw new LandscapeException("--directions plane needs --through A B (two more checkpoints)");
                using var m1 = TrainedModel.Load(s.PlaneCheckpoints[0], device);
                using var m2 = TrainedModel.Load(s.PlaneCheckpoints[1], device);
                using var w1 = ParameterVector.Get(m1.Model);
                using var w2 = ParameterVector.Get(m2.Model);
                using var plane = new Plane(center, w1, w2);
                var (x1, y1) = plane.Coordinates(w1);
                var overlay = new Overlay("", Array.Empty<double>(), Array.Empty<double>(),
                    new[] { ("w0", 0.0, 0.0), ("w1", x1, y1), ("w2", plane.ULength, 0.0) });
                return (plane.U.clone(), count == 2 ? plane.V.clone() : null, overlay);
            }
            default:
                throw new LandscapeException($"unknown direction kind {s.Directions}");
        }
    }

    static SavedFigure Plot(Surface surface, SliceSettings s, ProbeData probe, Overlay? overlay, RunDirectory output)
    {
        string part = probe.Part == DataPart.Train ? "train" : "test";
        string title = $"{s.Directions.ToString().ToLowerInvariant()} directions, {part} loss";
        if (s.Dimensions == 1)
        {
            var alpha = surface.Alpha;
            var loss = Enumerable.Range(0, alpha.Count).Select(i => surface["loss"].Z[0, i]).ToArray();
            return new LinePlot(title, "α (step along the direction)", $"{part} loss") { Markers = alpha.Count <= 41 }
                .Add($"{part} loss", alpha, loss).Save(output.File("slice"));
        }
        var contour = new ContourPlot(title, surface.Alpha, surface.Beta, surface["loss"].Z) { LogValues = true, ValueLabel = $"log10 {part} loss" };
        if (overlay is not null)
        {
            if (overlay.X.Length > 0) contour.AddTrajectory(overlay.Name, overlay.X, overlay.Y);
            foreach (var (label, x, y) in overlay.Markers) contour.AddPoint(label, x, y);
        }
        return contour.Save(output.File("surface"));
    }
}
