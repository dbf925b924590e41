using System.Buffers.Binary;
using System.IO.Compression;

namespace LossLandscape.Tests.Data;

/// <summary>A temporary folder removed on dispose, plus writers for small IDX files.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "losslandscape-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

public static class IdxFiles
{
    public static byte[] Encode(int magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
            gzip.Write(raw);
        return output.ToArray();
    }

    public static byte[] Images(int count, int height, int width, Func<int, byte>? pixel = null) =>
        Encode(0x00000803, [count, height, width], Enumerable.Range(0, count * height * width).Select(pixel ?? (i => (byte)(i % 256))).ToArray());

    public static byte[] Labels(params byte[] labels) => Encode(0x00000801, [labels.Length], labels);

    public static string Write(string path, byte[] content, bool gzip)
    {
        System.IO.File.WriteAllBytes(path, gzip ? Gzip(content) : content);
        return path;
    }
}

public static class Tensors
{
    /// <summary>Same shape and bit-for-bit equal elements.</summary>
    public static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
}
