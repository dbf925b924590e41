using System.Text;

namespace LossLandscape.Runs;

/// <summary>
/// Appends surface points to a long-form CSV one row at a time, flushed to disk after each, so that a killed
/// computation loses at most the point in progress and can resume from <see cref="GridFile.ReadSurface(string, IReadOnlyList{double}, IReadOnlyList{double})"/>.
/// Opening an existing file checks its header and drops a half-written last line left by a crash.
/// (Whole finished surfaces should go through <see cref="GridFile.WriteSurface"/>, which is atomic.)
/// </summary>
public sealed class SurfaceRowWriter : IDisposable
{
    readonly FileStream stream;
    readonly int fieldCount;

    SurfaceRowWriter(FileStream stream, int fieldCount)
    {
        this.stream = stream;
        this.fieldCount = fieldCount;
    }

    public string Path => stream.Name;

    /// <summary>Opens <paramref name="csvPath"/> for appending, creating it with the header if absent or empty.</summary>
    public static SurfaceRowWriter Open(string csvPath, IReadOnlyList<string> fieldNames)
    {
        var header = GridFile.HeaderLine(fieldNames) + "\n";
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(csvPath))!);
        var stream = new FileStream(csvPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            if (stream.Length == 0)
            {
                stream.Write(Encoding.UTF8.GetBytes(header));
            }
            else
            {
                var existing = new byte[stream.Length];
                stream.ReadExactly(existing);
                var text = Encoding.UTF8.GetString(existing);
                if (!text.StartsWith(header, StringComparison.Ordinal))
                    throw new DataFormatException(csvPath, $"existing header does not match '{header.TrimEnd()}'; refusing to append");
                // A crash mid-row leaves a line without its newline; cut it so the next row starts cleanly.
                int end = text.LastIndexOf('\n') + 1;
                stream.SetLength(Encoding.UTF8.GetByteCount(text.AsSpan(0, end)));
            }
            stream.Seek(0, SeekOrigin.End);
            stream.Flush(flushToDisk: true);
            return new SurfaceRowWriter(stream, fieldNames.Count);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends the point's values (in the order of the field names given to <see cref="Open"/>) and flushes.</summary>
    public void Append(double alpha, double beta, IReadOnlyList<double> values)
    {
        if (values.Count != fieldCount) throw new ArgumentException($"expected {fieldCount} values, got {values.Count}", nameof(values));
        stream.Write(Encoding.UTF8.GetBytes(GridFile.RowLine(alpha, beta, values) + "\n"));
        stream.Flush(flushToDisk: true);
    }

    public void Dispose() => stream.Dispose();
}
