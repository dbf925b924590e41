using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using LossLandscape.Runs;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Runs;

public class SafetensorsTests
{
    [Fact]
    public void RoundTripKeepsDtypesShapesValuesAndMetadata()
    {
        var path = TempFile();
        var tensors = new Dictionary<string, Tensor>
        {
            ["w"] = randn(3, 4),
            ["d"] = randn(5, dtype: ScalarType.Float64),
            ["count"] = tensor(42L),
            ["mask"] = tensor(new[] { true, false }),
            ["empty"] = zeros(0, 3),
        };
        Safetensors.Save(path, tensors, new Dictionary<string, string> { ["architecture"] = "{\"kind\":\"mlp\"}" });
        var (back, meta) = Safetensors.Load(path);
        Assert.Equal("{\"kind\":\"mlp\"}", meta["architecture"]);
        Assert.Equal(tensors.Keys, back.Keys);
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.dtype, back[name].dtype);
            Assert.Equal(t.shape, back[name].shape);
            Assert.True(t.eq(back[name]).all().item<bool>(), name);
        }
        Assert.Equal(ScalarType.Int64, back["count"].dtype);
        File.Delete(path);
    }

    [Fact]
    public void HeaderIsTheDocumentedLayout()
    {
        var path = TempFile();
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["a"] = tensor(new[] { 1.5f, -2f }) });
        var bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + n) % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        var a = header.RootElement.GetProperty("a");
        Assert.Equal("F32", a.GetProperty("dtype").GetString());
        Assert.Equal(new[] { 0L, 8L }, a.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(1.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n)));
        Assert.Equal(-2f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(12 + (int)n)));
        File.Delete(path);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "shorter than")]
    [InlineData(new byte[] { 255, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}' }, "exceeds the file")]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x' }, "not valid JSON")]
    public void MalformedFilesFailWithTheFileName(byte[] content, string expected)
    {
        var path = TempFile();
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<DataFormatException>(() => Safetensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        File.Delete(path);
    }

    [Fact]
    public void DataShorterThanTheHeaderSaysIsRejected()
    {
        var path = TempFile();
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["a"] = ones(100) });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^40]);
        var e = Assert.Throws<DataFormatException>(() => Safetensors.Load(path));
        Assert.Contains("'a'", e.Message);
        File.Delete(path);
    }

    static string TempFile() => Path.Combine(Path.GetTempPath(), $"ll-st-{Guid.NewGuid():N}.safetensors");
}
