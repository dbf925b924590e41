using System.Text.Json;
using LossLandscape.Runs;
using LossLandscape.Training;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Cli;

public class ConnectivityCommandTests : IClassFixture<TwoTrainedRuns>
{
    readonly TwoTrainedRuns runs;
    public ConnectivityCommandTests(TwoTrainedRuns runs) => this.runs = runs;


    [Fact]
    public void PermutedCopyComputesTheSameFunction()
    {
        var outFolder = Path.Combine(runs.Root, "permuted");
        CliRunner.RunOk("permute", runs.A, "--seed", "3", "--out", outFolder);
        using var original = TrainedModel.Load(runs.A, CPU);
        using var permuted = TrainedModel.Load(outFolder, CPU);
        using var data = original.LoadData(CPU);
        var a = Evaluation.Evaluate(original.Model, data.Test);
        var b = Evaluation.Evaluate(permuted.Model, data.Test);
        Assert.Equal(a.Accuracy, b.Accuracy);
        Assert.Equal(a.Loss, b.Loss, 5);
        using var wa = LossLandscape.Geometry.ParameterVector.Get(original.Model);
        using var wb = LossLandscape.Geometry.ParameterVector.Get(permuted.Model);
        Assert.True(wa.sub(wb).norm().ToDouble() > 1);
    }

    [Fact]
    public void ConnectTrainsACurveThatStartsAndEndsAtTheModels()
    {
        var outFolder = Path.Combine(runs.Root, "connect");
        CliRunner.RunOk("connect", runs.A, runs.B, "--curve", "bezier", "--epochs", "2", "--grid", "0:1:5", "--train-samples", "500", "--test-samples", "300", "--out", outFolder);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "connect.json")));
        var segment = report.RootElement.GetProperty("segment_points");
        var curve = report.RootElement.GetProperty("curve_points");
        Assert.Equal(5, curve.GetArrayLength());
        foreach (var i in new[] { 0, 4 })
            Assert.Equal(segment[i].GetProperty("test_accuracy").GetDouble(), curve[i].GetProperty("test_accuracy").GetDouble(), 9);
        Assert.Equal(2, report.RootElement.GetProperty("curve_epoch_losses").GetArrayLength());
        foreach (var f in new[] { "paths.csv", "paths.png", "plane.png", "plane.csv", "curve.safetensors" })
            Assert.True(File.Exists(Path.Combine(outFolder, f)), f);
    }

    [Fact]
    public void WeightMatchingLowersTheBarrier()
    {
        var outFolder = Path.Combine(runs.Root, "match");
        CliRunner.RunOk("match", runs.A, runs.B, "--grid", "0:1:5", "--out", outFolder);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "match.json")));
        double before = report.RootElement.GetProperty("segment_before").GetProperty("train_loss_barrier").GetDouble();
        double after = report.RootElement.GetProperty("segment_after").GetProperty("train_loss_barrier").GetDouble();
        Assert.True(after < before, $"barrier {before} -> {after}");
        Assert.True(File.Exists(Path.Combine(outFolder, "checkpoints", "final.safetensors")));
    }

    [Fact]
    public void DriftMeasuresDistanceAndAngleBetweenLateCheckpoints()
    {
        var outFolder = Path.Combine(runs.Root, "drift");
        CliRunner.RunOk("drift", runs.A, "--loss-threshold", "10", "--out", outFolder);
        var drift = GridFile.ReadCurve(Path.Combine(outFolder, "drift.csv"));
        Assert.Equal(3, drift.Axis.Values.Count); // the checkpoints of epochs 1-3 all count as "interpolating" at threshold 10
        Assert.Equal(0.0, drift["distance"].Values[0]);
        Assert.True(drift["distance"].Values[^1] > 0 && drift["angle_deg"].Values[^1] > 0);
    }
}
