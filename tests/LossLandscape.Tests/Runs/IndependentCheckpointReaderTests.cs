using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using LossLandscape.Data;
using LossLandscape.Runs;
using LossLandscape.Tests.Cli;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Runs;

/// <summary>
/// A checkpoint written by `landscape train` is read by a reader that shares no code with ours (header length,
/// JSON header, raw little-endian floats) and its weights give the test accuracy the run reported.
/// </summary>
public class IndependentCheckpointReaderTests
{
    static Dictionary<string, (long[] Shape, float[] Data)> ReadF32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength));
        var result = new Dictionary<string, (long[], float[])>();
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            Assert.Equal("F32", entry.Value.GetProperty("dtype").GetString());
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var data = new float[(offsets[1] - offsets[0]) / 4];
            for (int i = 0; i < data.Length; i++)
                data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + headerLength + offsets[0] + 4 * i));
            result[entry.Name] = (shape, data);
        }
        return result;
    }

    [Fact]
    public void WeightsReadIndependentlyGiveTheReportedTestAccuracy()
    {
        var run = CliRunner.TempFolder("ckpt");
        var r = CliRunner.Run("train", "--out", run, "--epochs", "1", "--width", "32", "--depth", "1", "--train-size", "2000",
            "--test-size", "1000", "--seed", "4", "--no-download", "--progress", "none", "--threads", "2");
        Assert.True(r.ExitCode == 0, r.Stderr);
        double reported = MetricsFile.Read(Path.Combine(run, MetricsFile.FileName)).Single().TestAccuracy;

        var w = ReadF32(Path.Combine(run, "checkpoints", "final.safetensors"));
        using var data = new DataSettings(TrainSize: 2000, TestSize: 1000, AllowDownload: false).Load(4, CPU);
        Tensor T(string name) => tensor(w[name].Data).reshape(w[name].Shape);
        using var x = data.Test.Inputs.flatten(1);
        using var hidden = x.matmul(T("features.linear0.weight").t()).add(T("features.linear0.bias")).relu();
        using var logits = hidden.matmul(T("head.weight").t()).add(T("head.bias"));
        double accuracy = logits.argmax(1).eq(data.Test.Labels).to(ScalarType.Float64).mean().item<double>();
        Assert.Equal(reported, accuracy, 6);
        Directory.Delete(run, true);
    }
}
