using System.IO.Compression;
using System.Security.Cryptography;

namespace LossLandscape.Data;

/// <summary>
/// Reading dataset files as whole byte arrays, transparently gunzipping them. Compression is detected by
/// the gzip magic bytes rather than the extension, because distributions sometimes ship decompressed files
/// under .gz names and vice versa.
/// </summary>
public static class DataFile
{
    /// <summary>True when the bytes start with the gzip magic 1f 8b.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>
    /// The file's content, decompressed when it is gzip. A missing file is a <see cref="LandscapeException"/>,
    /// a corrupt gzip stream a <see cref="DataFormatException"/>.
    /// </summary>
    public static byte[] ReadAllBytes(string path)
    {
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LandscapeException($"{path}: file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LandscapeException($"{path}: cannot read: {e.Message}", e);
        }
        return IsGzip(raw) ? Gunzip(raw, path) : raw;
    }

    /// <summary>Decompresses gzip bytes held in memory; <paramref name="path"/> only names them in errors.</summary>
    public static byte[] Gunzip(byte[] compressed, string path)
    {
        try
        {
            using var input = new MemoryStream(compressed, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            // Capacity guess: the gzip trailer stores the size modulo 2^32, good enough for a first buffer.
            int hint = compressed.Length >= 4 ? BitConverter.ToInt32(compressed, compressed.Length - 4) : 0;
            using var output = new MemoryStream(hint > 0 && hint < int.MaxValue / 2 ? hint : compressed.Length * 4);
            gzip.CopyTo(output);
            return output.Length == output.Capacity ? output.GetBuffer() : output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt gzip data ({e.Message})");
        }
        catch (EndOfStreamException)
        {
            throw new DataFormatException(path, "corrupt gzip data (stream ends early)");
        }
    }

    /// <summary>Lower-case hex SHA-256 of the bytes.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
