using System.Text.Json;
using LossLandscape.Connectivity;
using LossLandscape.Experiments.Probes;
using LossLandscape.Geometry;
using LossLandscape.Models;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Experiments;

public enum MatchingMethod { Weights, Activations }

/// <param name="ActivationSamples">Training samples whose activations are correlated (activation matching).</param>
public sealed record MatchSettings(MatchingMethod Method = MatchingMethod.Weights, string TGrid = "0:1:21", int ActivationSamples = 2000,
    int? TrainSamples = null, int? TestSamples = null, int Seed = 0);

public sealed record MatchReport(string Reference, string Matched, MatchingMethod Method, int? Rounds, bool? Converged,
    double DistanceBefore, double DistanceAfter, PathSummary SegmentBefore, PathSummary SegmentAfter, double BarrierReduction,
    IReadOnlyList<PathPoint> Before, IReadOnlyList<PathPoint> After, double Seconds);

/// <summary>
/// Permutation symmetry as an experiment (Ainsworth et al. 2022): permuting a network's hidden units leaves its
/// function unchanged but moves it far away in weight space; matching B's units to A's removes that part of
/// the distance, and with it much of the loss barrier on the segment between them. Results are written as run
/// folders of their own (with the source's training settings, so every probe works on them).
/// </summary>
public static class Rebasin
{
    /// <summary>Writes a randomly permuted copy of <paramref name="source"/> into <paramref name="output"/>.</summary>
    public static PermutationSet Permute(TrainedModel source, int seed, RunDirectory output)
    {
        var spec = PermutationSpec.For(source.Model);
        var permutation = PermutationSet.Random(spec, seed);
        using var copy = Checkpoint.Load(source.CheckpointPath, source.Model.parameters().First().device);
        Permutation.ApplyInPlace(spec, copy, permutation);
        SaveAsRun(source, copy, output, "permute", new { seed });
        return permutation;
    }

    /// <summary>Aligns B to A, writes the aligned B as a run folder, and measures the segment A-B before and after.</summary>
    public static MatchReport Match(TrainedModel a, TrainedModel b, MatchSettings s, RunDirectory output, Device device, Action<string>? log = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (a.Model.Spec != b.Model.Spec) throw new LandscapeException($"cannot match {a.Model.Spec} and {b.Model.Spec}: different architectures");
        using var split = a.LoadData(device);
        int? rounds = null;
        bool? converged = null;
        PermutationSet permutation;
        if (s.Method == MatchingMethod.Weights)
        {
            var result = WeightMatching.Match(a.Model, b.Model, new WeightMatchingSettings(s.Seed));
            (permutation, rounds, converged) = (result.Permutations, result.Rounds, result.Converged);
            log?.Invoke($"weight matching: {result.Rounds} rounds, objective {result.ObjectivePerRound[0]:G6} -> {result.ObjectivePerRound[^1]:G6}");
        }
        else
        {
            using var batch = new ProbeData(DataPart.Train, s.ActivationSamples, s.Seed).Select(split);
            permutation = ActivationMatching.Match(a.Model, b.Model, batch.Inputs);
        }
        using var matched = Checkpoint.Load(b.CheckpointPath, device);
        Permutation.ApplyInPlace(PermutationSpec.For(matched), matched, permutation);
        SaveAsRun(b, matched, output, "match", new { reference = a.CheckpointPath, method = s.Method });

        using var train = new ProbeData(DataPart.Train, s.TrainSamples, s.Seed).Select(split);
        using var test = new ProbeData(DataPart.Test, s.TestSamples, s.Seed).Select(split);
        var data = new Data.DataSplit(train, test);
        using var wa = ParameterVector.Get(a.Model);
        using var wb = ParameterVector.Get(b.Model);
        using var wm = ParameterVector.Get(matched);
        var t = GridAxis.Parse(s.TGrid);
        var before = LinearPath.Measure(a.Model, wa, wb, data, t, split.Train, endpoints: EndpointStatistics.Of(a.Model, b.Model));
        var after = LinearPath.Measure(a.Model, wa, wm, data, t, split.Train, endpoints: EndpointStatistics.Of(a.Model, matched));
        var summaryBefore = PathSummary.Of("segment", before);
        var summaryAfter = PathSummary.Of("segment after matching", after);
        var report = new MatchReport(a.CheckpointPath, b.CheckpointPath, s.Method, rounds, converged,
            wb.sub(wa).norm().ToDouble(), wm.sub(wa).norm().ToDouble(), summaryBefore, summaryAfter,
            1 - summaryAfter.TrainLossBarrier / summaryBefore.TrainLossBarrier, before, after, clock.Elapsed.TotalSeconds);
        var ts = before.Select(p => p.T).ToArray();
        new Reporting.LinePlot($"Segment to a second minimum, before and after {s.Method.ToString().ToLowerInvariant()} matching", "t", "train loss / test error")
            .Add("before: train loss", ts, before.Select(p => p.TrainLoss).ToArray())
            .Add("before: test error", ts, before.Select(p => 1 - p.TestAccuracy).ToArray())
            .Add("after: train loss", ts, after.Select(p => p.TrainLoss).ToArray())
            .Add("after: test error", ts, after.Select(p => 1 - p.TestAccuracy).ToArray())
            .Save(output.File("matching"));
        AtomicFile.WriteAllText(output.File("match.json"), JsonSerializer.Serialize(report, RunManifest.Json));
        return report;
    }

    /// <summary>A run folder holding <paramref name="model"/> as its final checkpoint, with the source's training settings.</summary>
    static void SaveAsRun(TrainedModel source, LandscapeModel model, RunDirectory output, string command, object details)
    {
        Checkpoint.Save(output.Checkpoint("final"), model);
        var manifest = File.Exists(output.ManifestPath) ? output.ReadManifest() : new RunManifest { Status = RunStatus.Completed, Ended = DateTimeOffset.UtcNow };
        output.WriteManifest(manifest with
        {
            Command = command,
            Settings = source.Settings is { } settings ? RunManifest.ToSettings(settings) : manifest.Settings,
        });
        AtomicFile.WriteAllText(output.File($"{command}.source.json"), JsonSerializer.Serialize(new { source = source.CheckpointPath, details }, RunManifest.Json));
    }
}
