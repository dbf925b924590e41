using System.Globalization;
using System.Text;

namespace LossLandscape.Runs;

/// <summary>
/// Plain-text grids a researcher can open anywhere: a 1-D curve as one CSV row per axis point, and a 2-D surface
/// as long-form CSV (<c>alpha,beta,&lt;fields&gt;</c>, one row per grid point, beta-major) plus one .npy per field
/// of shape <c>[len(beta), len(alpha)]</c> and the grid vectors as <c>&lt;stem&gt;.alpha.npy</c> and
/// <c>&lt;stem&gt;.beta.npy</c>. Numbers are written culture-invariant with round-trip precision, so reading a
/// file back gives the same bits.
/// </summary>
public static class GridFile
{
    public const string AlphaColumn = "alpha";
    public const string BetaColumn = "beta";

    /// <summary>Writes the curve atomically as CSV: the axis column first, then the value columns in order.</summary>
    public static void WriteCurve(string path, Curve curve)
    {
        var columns = new[] { curve.Axis }.Concat(curve.Values).ToList();
        CheckNames(columns.Select(c => c.Name));
        int rows = curve.Axis.Values.Count;
        foreach (var c in curve.Values)
            if (c.Values.Count != rows)
                throw new ArgumentException($"column '{c.Name}' has {c.Values.Count} values but axis '{curve.Axis.Name}' has {rows}");
        var text = new StringBuilder();
        text.Append(string.Join(',', columns.Select(c => c.Name))).Append('\n');
        for (int i = 0; i < rows; i++)
            text.Append(string.Join(',', columns.Select(c => Format(c.Values[i])))).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Reads a curve CSV: its first column is the axis, the rest are values. Every row must be complete.</summary>
    public static Curve ReadCurve(string path)
    {
        var (names, rows, torn) = ReadTable(path);
        if (torn) throw new DataFormatException(path, "last line is incomplete (no final newline); the file was cut short");
        var columns = names.Select((n, j) => new GridColumn(n, rows.Select(r => r.Values[j]).ToArray())).ToList();
        return new Curve(columns[0], columns.Skip(1).ToList());
    }

    /// <summary>
    /// Writes the surface atomically: <paramref name="csvPath"/> in long form, and beside it
    /// <c>&lt;stem&gt;.&lt;field&gt;.npy</c> for each field plus the grid vectors. Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> WriteSurface(string csvPath, Surface surface)
    {
        CheckSurface(surface);
        var text = new StringBuilder();
        text.Append(HeaderLine(surface.Values.Select(v => v.Name))).Append('\n');
        for (int iy = 0; iy < surface.Beta.Count; iy++)
            for (int ix = 0; ix < surface.Alpha.Count; ix++)
                text.Append(RowLine(surface.Alpha[ix], surface.Beta[iy], surface.Values.Select(v => v.Z[iy, ix]))).Append('\n');
        AtomicFile.WriteAllText(csvPath, text.ToString());

        var written = new List<string> { csvPath };
        foreach (var v in surface.Values)
        {
            var npy = NpyPath(csvPath, v.Name);
            NpyFile.Write(npy, v.Z);
            written.Add(npy);
        }
        foreach (var (name, grid) in new[] { (AlphaColumn, surface.Alpha), (BetaColumn, surface.Beta) })
        {
            var npy = NpyPath(csvPath, name);
            NpyFile.Write(npy, grid.ToArray());
            written.Add(npy);
        }
        return written;
    }

    /// <summary>Where <see cref="WriteSurface"/> puts the .npy of <paramref name="field"/>: <c>dir/stem.field.npy</c>.</summary>
    public static string NpyPath(string csvPath, string field) =>
        Path.Combine(Path.GetDirectoryName(csvPath) ?? "", $"{Path.GetFileNameWithoutExtension(csvPath)}.{field}.npy");

    /// <summary>
    /// Reads a long-form surface CSV, possibly cut short by a killed process, onto the given grid. A final line
    /// without its newline is ignored (it may be half written); a point written twice keeps its last row.
    /// Points off the grid, malformed rows in the middle or a header that is not <c>alpha,beta,...</c> raise
    /// <see cref="DataFormatException"/>.
    /// </summary>
    public static SurfaceProgress ReadSurface(string csvPath, IReadOnlyList<double> alpha, IReadOnlyList<double> beta)
    {
        var (names, rows, _) = ReadTable(csvPath);
        if (names.Count < 3 || names[0] != AlphaColumn || names[1] != BetaColumn)
            throw new DataFormatException(csvPath, $"surface CSV header must start with '{AlphaColumn},{BetaColumn},' and name at least one field, not '{string.Join(',', names)}'");
        var surface = Surface.Empty(alpha, beta, names.Skip(2));
        var present = new bool[beta.Count, alpha.Count];
        foreach (var (line, values) in rows)
        {
            int ix = IndexOn(alpha, values[0]), iy = IndexOn(beta, values[1]);
            if (ix < 0 || iy < 0)
                throw new DataFormatException(csvPath, $"line {line}: point (alpha={Format(values[0])}, beta={Format(values[1])}) is not on the expected grid");
            for (int f = 0; f < surface.Values.Count; f++) surface.Values[f].Z[iy, ix] = values[f + 2];
            present[iy, ix] = true;
        }
        return new SurfaceProgress(surface, present);
    }

    /// <summary>Reads a complete surface CSV, taking the grid to be the distinct alpha and beta values present.</summary>
    public static Surface ReadSurface(string csvPath)
    {
        var (_, rows, _) = ReadTable(csvPath);
        var alpha = rows.Select(r => r.Values[0]).Distinct().Order().ToArray();
        var beta = rows.Select(r => r.Values[1]).Distinct().Order().ToArray();
        var progress = ReadSurface(csvPath, alpha, beta);
        if (!progress.IsComplete)
            throw new DataFormatException(csvPath, $"surface is incomplete: {progress.PresentCount} of {progress.Surface.PointCount} grid points present");
        return progress.Surface;
    }

    /// <summary>Numbers as the CSV files write them: invariant culture, shortest text that round-trips.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static string HeaderLine(IEnumerable<string> fieldNames)
    {
        var names = new[] { AlphaColumn, BetaColumn }.Concat(fieldNames).ToList();
        CheckNames(names);
        return string.Join(',', names);
    }

    internal static string RowLine(double alpha, double beta, IEnumerable<double> values) =>
        string.Join(',', new[] { alpha, beta }.Concat(values).Select(Format));

    internal static void CheckNames(IEnumerable<string> names)
    {
        var seen = new HashSet<string>();
        foreach (var n in names)
        {
            if (string.IsNullOrWhiteSpace(n) || n.IndexOfAny([',', '"', '\n', '\r']) >= 0 || n != n.Trim())
                throw new ArgumentException($"column name '{n}' must be non-empty, have no surrounding spaces and contain no comma, quote or newline");
            if (!seen.Add(n)) throw new ArgumentException($"column name '{n}' appears twice");
        }
    }

    static void CheckSurface(Surface surface)
    {
        if (surface.Values.Count == 0) throw new ArgumentException("surface has no fields");
        CheckNames(new[] { AlphaColumn, BetaColumn }.Concat(surface.Values.Select(v => v.Name)));
        foreach (var v in surface.Values)
            if (v.Z.GetLength(0) != surface.Beta.Count || v.Z.GetLength(1) != surface.Alpha.Count)
                throw new ArgumentException($"field '{v.Name}' is [{v.Z.GetLength(0)}, {v.Z.GetLength(1)}] but the grid is [len(beta)={surface.Beta.Count}, len(alpha)={surface.Alpha.Count}]");
    }

    /// <summary>The index of <paramref name="value"/> on the grid: exact when written by us, else within a tiny fraction of the spacing.</summary>
    static int IndexOn(IReadOnlyList<double> grid, double value)
    {
        int best = -1;
        double bestDistance = double.PositiveInfinity;
        for (int i = 0; i < grid.Count; i++)
        {
            double d = Math.Abs(grid[i] - value);
            if (d == 0) return i;
            if (d < bestDistance) (best, bestDistance) = (i, d);
        }
        double spacing = grid.Count > 1 ? Math.Abs(grid[^1] - grid[0]) / (grid.Count - 1) : 1;
        return bestDistance <= 1e-9 * Math.Max(spacing, double.Epsilon) ? best : -1;
    }

    /// <summary>Reads header and rows; reports (without failing) a final line that lacks its newline.</summary>
    static (List<string> Names, List<(int Line, double[] Values)> Rows, bool Torn) ReadTable(string path)
    {
        if (!File.Exists(path)) throw new LandscapeException($"{path}: no such grid file");
        var text = File.ReadAllText(path);
        bool torn = text.Length > 0 && text[^1] != '\n';
        var lines = text.Split('\n');
        // Split leaves an empty last element after a final newline, or the torn fragment otherwise; both are dropped.
        int complete = lines.Length - 1;
        if (complete < 1) throw new DataFormatException(path, "no complete header line");
        var names = lines[0].TrimEnd('\r').Split(',').ToList();
        var rows = new List<(int, double[])>();
        for (int i = 1; i < complete; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != names.Count)
                throw new DataFormatException(path, $"line {i + 1}: {cells.Length} cells but the header names {names.Count} columns");
            var values = new double[cells.Length];
            for (int j = 0; j < cells.Length; j++)
                if (!double.TryParse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture, out values[j]))
                    throw new DataFormatException(path, $"line {i + 1}: '{cells[j]}' in column '{names[j]}' is not a number");
            rows.Add((i + 1, values));
        }
        return (names, rows, torn);
    }
}
