using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace LossLandscape.Runs;

/// <summary>The element types <see cref="NpyFile"/> reads and writes (always little-endian).</summary>
public enum NpyDtype { Float64, Float32, Int64 }

/// <summary>An array read from a .npy file: its element type, its shape (C order) and its elements, flat.</summary>
public sealed record NpyArray(NpyDtype Dtype, IReadOnlyList<long> Shape, Array Data)
{
    public long Count => Data.LongLength;

    /// <summary>The elements as float64, converting float32 and int64 so callers need not switch on the dtype.</summary>
    public double[] ToDoubles() => Data switch
    {
        double[] d => (double[])d.Clone(),
        float[] f => Array.ConvertAll(f, v => (double)v),
        long[] l => Array.ConvertAll(l, v => (double)v),
        _ => throw new InvalidOperationException($"unexpected element array {Data.GetType()}"),
    };

    /// <summary>A 2-D float64 array as <c>[rows, columns]</c>; fails unless the shape has two dimensions.</summary>
    public double[,] ToMatrix()
    {
        if (Shape.Count != 2) throw new InvalidOperationException($"array has {Shape.Count} dimensions, not 2");
        var flat = ToDoubles();
        var m = new double[Shape[0], Shape[1]];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }
}

/// <summary>
/// NumPy's .npy format (version 1.0 written; 1.0 to 3.0 read), so that grids and spectra open in Python with
/// <c>numpy.load</c>: the magic "\x93NUMPY", a version, the header length, a Python dict literal naming the
/// dtype, order and shape, padded with spaces and a newline so the data starts 64-byte aligned (numpy's rule),
/// then the raw little-endian elements in C order.
/// </summary>
public static class NpyFile
{
    static readonly byte[] magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    const int Alignment = 64;

    public static void Write(string path, double[] data, IReadOnlyList<long> shape) => WriteRaw(path, NpyDtype.Float64, shape, data.Length, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
    public static void Write(string path, float[] data, IReadOnlyList<long> shape) => WriteRaw(path, NpyDtype.Float32, shape, data.Length, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
    public static void Write(string path, long[] data, IReadOnlyList<long> shape) => WriteRaw(path, NpyDtype.Int64, shape, data.Length, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());

    /// <summary>Writes a 1-D float64 array of shape (n,).</summary>
    public static void Write(string path, double[] data) => Write(path, data, [data.LongLength]);

    /// <summary>Writes a 2-D float64 array; <c>m[i, j]</c> becomes numpy's <c>a[i, j]</c>.</summary>
    public static void Write(string path, double[,] matrix)
    {
        var flat = new double[matrix.Length];
        Buffer.BlockCopy(matrix, 0, flat, 0, flat.Length * sizeof(double));
        Write(path, flat, [matrix.GetLongLength(0), matrix.GetLongLength(1)]);
    }

    /// <summary>The header numpy would write for this dtype and shape: magic, version 1.0, length, padded dict.</summary>
    public static byte[] Header(NpyDtype dtype, IReadOnlyList<long> shape)
    {
        string dims = shape.Count switch
        {
            0 => "()",
            1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
            _ => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        var dict = $"{{'descr': '{Descr(dtype)}', 'fortran_order': False, 'shape': {dims}, }}";
        // numpy pads with 1..64 spaces before the final newline, never 0, even when already aligned.
        int unpadded = magic.Length + 2 + 2 + dict.Length + 1;
        int pad = Alignment - unpadded % Alignment;
        var text = Encoding.ASCII.GetBytes(dict + new string(' ', pad) + "\n");
        if (text.Length > ushort.MaxValue) throw new ArgumentException($"npy: shape with {shape.Count} dimensions makes the header too long");
        var header = new byte[magic.Length + 4 + text.Length];
        magic.CopyTo(header, 0);
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)text.Length);
        text.CopyTo(header, 10);
        return header;
    }

    /// <summary>Reads a .npy file; a file that is not a well-formed little-endian C-order f8/f4/i8 array raises <see cref="DataFormatException"/>.</summary>
    public static NpyArray Read(string path)
    {
        if (!File.Exists(path)) throw new LandscapeException($"{path}: no such .npy file");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, magic.Length).SequenceEqual(magic))
            throw new DataFormatException(path, "not a .npy file: missing the \\x93NUMPY magic");
        int major = bytes[6];
        int lengthSize = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new DataFormatException(path, $"unsupported .npy version {major}.{bytes[7]}"),
        };
        if (bytes.Length < 8 + lengthSize) throw new DataFormatException(path, "truncated .npy header");
        long headerLength = lengthSize == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8))
            : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        long dataStart = 8 + lengthSize + headerLength;
        if (dataStart > bytes.Length) throw new DataFormatException(path, $"truncated .npy header: needs {dataStart} bytes, file has {bytes.Length}");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, 8 + lengthSize, (int)headerLength);

        var (dtype, shape) = ParseHeader(path, header);
        long count = shape.Aggregate(1L, (a, d) => a * d);
        int size = dtype == NpyDtype.Float32 ? 4 : 8;
        long expected = dataStart + count * size;
        if (bytes.Length != expected)
            throw new DataFormatException(path, $"data is {bytes.Length - dataStart} bytes but shape ({string.Join(", ", shape)}) of {Descr(dtype)} needs {count * size}");
        var payload = bytes.AsSpan((int)dataStart);
        Array data = dtype switch
        {
            NpyDtype.Float64 => MemoryMarshal.Cast<byte, double>(payload).ToArray(),
            NpyDtype.Float32 => MemoryMarshal.Cast<byte, float>(payload).ToArray(),
            _ => MemoryMarshal.Cast<byte, long>(payload).ToArray(),
        };
        return new NpyArray(dtype, shape, data);
    }

    static readonly Regex descrPattern = new(@"'descr'\s*:\s*'([^']*)'");
    static readonly Regex orderPattern = new(@"'fortran_order'\s*:\s*(True|False)");
    static readonly Regex shapePattern = new(@"'shape'\s*:\s*\(([^)]*)\)");

    static (NpyDtype, long[]) ParseHeader(string path, string header)
    {
        var trimmed = header.TrimEnd();
        if (!trimmed.StartsWith('{') || !trimmed.EndsWith('}'))
            throw new DataFormatException(path, $"malformed .npy header: {trimmed}");
        var descr = descrPattern.Match(header);
        var order = orderPattern.Match(header);
        var shape = shapePattern.Match(header);
        if (!descr.Success || !order.Success || !shape.Success)
            throw new DataFormatException(path, $"malformed .npy header (needs descr, fortran_order and shape): {trimmed}");
        NpyDtype dtype = descr.Groups[1].Value switch
        {
            "<f8" => NpyDtype.Float64,
            "<f4" => NpyDtype.Float32,
            "<i8" => NpyDtype.Int64,
            var other => throw new DataFormatException(path, $"unsupported .npy dtype '{other}' (expected '<f8', '<f4' or '<i8')"),
        };
        if (order.Groups[1].Value == "True")
            throw new DataFormatException(path, "Fortran-ordered .npy arrays are not supported");
        var dims = new List<long>();
        foreach (var part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var d))
                throw new DataFormatException(path, $"malformed .npy shape ({shape.Groups[1].Value})");
            dims.Add(d);
        }
        return (dtype, dims.ToArray());
    }

    static string Descr(NpyDtype dtype) => dtype switch
    {
        NpyDtype.Float64 => "<f8",
        NpyDtype.Float32 => "<f4",
        _ => "<i8",
    };

    static void WriteRaw(string path, NpyDtype dtype, IReadOnlyList<long> shape, long count, byte[] payload)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("npy: writer assumes a little-endian machine");
        if (shape.Any(d => d < 0)) throw new ArgumentException($"npy: negative dimension in shape ({string.Join(", ", shape)})", nameof(shape));
        long product = shape.Aggregate(1L, (a, d) => a * d);
        if (product != count)
            throw new ArgumentException($"npy: shape ({string.Join(", ", shape)}) holds {product} elements but {count} were given", nameof(shape));
        var header = Header(dtype, shape);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            stream.Write(payload);
        });
    }
}
