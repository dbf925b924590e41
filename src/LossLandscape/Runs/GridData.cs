namespace LossLandscape.Runs;

/// <summary>One named column of numbers, e.g. <c>train_loss</c> along a 1-D interpolation.</summary>
public sealed record GridColumn(string Name, IReadOnlyList<double> Values);

/// <summary>
/// A 1-D scan: an axis column (e.g. <c>alpha</c>) and value columns of the same length measured at each axis
/// point (e.g. <c>train_loss, train_acc, test_loss, test_acc</c>).
/// </summary>
public sealed record Curve(GridColumn Axis, IReadOnlyList<GridColumn> Values)
{
    public GridColumn this[string name] =>
        Values.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"curve has no column '{name}'");
}

/// <summary>A named 2-D field on a surface grid; <c>Z[iy, ix]</c> is the value at <c>(alpha[ix], beta[iy])</c>, NaN where not computed.</summary>
public sealed record SurfaceValues(string Name, double[,] Z);

/// <summary>
/// A 2-D scan over the plane <c>w + alpha*d1 + beta*d2</c>: grid vectors and one or more fields on them, each
/// indexed <c>[iy, ix]</c> (beta first), which is also numpy's <c>[row, column]</c> and matplotlib's
/// <c>contourf(alpha, beta, Z)</c> convention. Points are visited beta-major: index <c>iy * Alpha.Count + ix</c>.
/// </summary>
public sealed record Surface(IReadOnlyList<double> Alpha, IReadOnlyList<double> Beta, IReadOnlyList<SurfaceValues> Values)
{
    public SurfaceValues this[string name] =>
        Values.FirstOrDefault(v => v.Name == name) ?? throw new KeyNotFoundException($"surface has no field '{name}'");

    public int PointCount => Alpha.Count * Beta.Count;

    /// <summary>An all-NaN surface to fill point by point.</summary>
    public static Surface Empty(IReadOnlyList<double> alpha, IReadOnlyList<double> beta, IEnumerable<string> valueNames) =>
        new(alpha, beta, valueNames.Select(n => new SurfaceValues(n, Filled(beta.Count, alpha.Count, double.NaN))).ToList());

    static double[,] Filled(int rows, int columns, double value)
    {
        var z = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) z[i, j] = value;
        return z;
    }
}

/// <summary>
/// What a (possibly partly written) surface CSV holds: the fields, NaN where a point is missing, and which
/// points are present, so a killed computation can resume at <see cref="FirstMissing"/>.
/// </summary>
public sealed record SurfaceProgress(Surface Surface, bool[,] Present)
{
    public int PresentCount => Present.Cast<bool>().Count(p => p);
    public bool IsComplete => PresentCount == Surface.PointCount;

    /// <summary>The first absent point in visiting order (beta-major), or null when every point is present.</summary>
    public (int Ix, int Iy)? FirstMissing
    {
        get
        {
            for (int iy = 0; iy < Present.GetLength(0); iy++)
                for (int ix = 0; ix < Present.GetLength(1); ix++)
                    if (!Present[iy, ix]) return (ix, iy);
            return null;
        }
    }

    /// <summary>Every absent point in visiting order; a resumed computation need only evaluate these.</summary>
    public IEnumerable<(int Ix, int Iy)> Missing()
    {
        for (int iy = 0; iy < Present.GetLength(0); iy++)
            for (int ix = 0; ix < Present.GetLength(1); ix++)
                if (!Present[iy, ix]) yield return (ix, iy);
    }
}
