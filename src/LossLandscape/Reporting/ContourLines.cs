namespace LossLandscape.Reporting;

/// <summary>A straight piece of a contour line inside one grid cell, in data coordinates.</summary>
public readonly record struct ContourSegment(double X1, double Y1, double X2, double Y2);

/// <summary>A contour level and the polylines where the field crosses it (closed loops end where they start).</summary>
public sealed record ContourLevel(double Level, IReadOnlyList<IReadOnlyList<(double X, double Y)>> Polylines);

/// <summary>
/// Marching squares on a rectilinear grid with linear interpolation along cell edges. We trace contours
/// ourselves rather than use ScottPlot's ContourLines (which triangulates scattered points) so that the
/// lines follow the grid exactly, cells with NaN are skipped, and the result can be checked in tests.
/// </summary>
public static class ContourLines
{
    /// <summary>
    /// The segments where <c>z[iy, ix]</c> on grid <c>(x[ix], y[iy])</c> crosses <paramref name="level"/>. A point
    /// on an edge is computed from the edge's end nodes in a fixed order, so neighbouring cells give bit-identical
    /// endpoints and segments join into polylines exactly. Saddle cells are resolved by the cell's mean value.
    /// </summary>
    public static IReadOnlyList<ContourSegment> Segments(IReadOnlyList<double> x, IReadOnlyList<double> y, double[,] z, double level)
    {
        CheckGrid(x, y, z);
        var segments = new List<ContourSegment>();
        for (int iy = 0; iy + 1 < y.Count; iy++)
            for (int ix = 0; ix + 1 < x.Count; ix++)
            {
                double z0 = z[iy, ix], z1 = z[iy, ix + 1], z2 = z[iy + 1, ix + 1], z3 = z[iy + 1, ix];
                if (double.IsNaN(z0) || double.IsNaN(z1) || double.IsNaN(z2) || double.IsNaN(z3)) continue;
                bool a0 = z0 >= level, a1 = z1 >= level, a2 = z2 >= level, a3 = z3 >= level;
                var bottom = a0 != a1 ? Cross(x[ix], y[iy], z0, x[ix + 1], y[iy], z1, level) : ((double, double)?)null;
                var right = a1 != a2 ? Cross(x[ix + 1], y[iy], z1, x[ix + 1], y[iy + 1], z2, level) : ((double, double)?)null;
                var top = a3 != a2 ? Cross(x[ix], y[iy + 1], z3, x[ix + 1], y[iy + 1], z2, level) : ((double, double)?)null;
                var left = a0 != a3 ? Cross(x[ix], y[iy], z0, x[ix], y[iy + 1], z3, level) : ((double, double)?)null;
                var crossed = new[] { bottom, right, top, left }.Where(p => p is not null).Select(p => p!.Value).ToArray();
                if (crossed.Length == 2)
                {
                    Add(segments, crossed[0], crossed[1]);
                }
                else if (crossed.Length == 4)
                {
                    // Saddle: if the centre is on the same side as corners 0 and 2, they are joined through it
                    // and the lines cut off corners 1 and 3; otherwise they cut off corners 0 and 2.
                    bool centreAbove = (z0 + z1 + z2 + z3) / 4 >= level;
                    if (centreAbove == a0)
                    {
                        Add(segments, bottom!.Value, right!.Value);
                        Add(segments, top!.Value, left!.Value);
                    }
                    else
                    {
                        Add(segments, bottom!.Value, left!.Value);
                        Add(segments, right!.Value, top!.Value);
                    }
                }
            }
        return segments;
    }

    /// <summary>The segments of <see cref="Segments"/> chained into polylines.</summary>
    public static ContourLevel Trace(IReadOnlyList<double> x, IReadOnlyList<double> y, double[,] z, double level) =>
        new(level, Join(Segments(x, y, z, level)));

    /// <summary><paramref name="count"/> levels evenly spaced strictly between the finite minimum and maximum of <paramref name="z"/>.</summary>
    public static IReadOnlyList<double> EvenLevels(double[,] z, int count)
    {
        var finite = z.Cast<double>().Where(double.IsFinite).ToArray();
        if (finite.Length == 0 || count <= 0) return [];
        double min = finite.Min(), max = finite.Max();
        if (min == max) return [];
        return Enumerable.Range(1, count).Select(k => min + (max - min) * k / (count + 1)).ToArray();
    }

    /// <summary>Chains segments that share endpoints into polylines (each segment used once).</summary>
    public static IReadOnlyList<IReadOnlyList<(double X, double Y)>> Join(IReadOnlyList<ContourSegment> segments)
    {
        var byPoint = new Dictionary<(double, double), List<int>>();
        for (int i = 0; i < segments.Count; i++)
        {
            Attach(byPoint, (segments[i].X1, segments[i].Y1), i);
            Attach(byPoint, (segments[i].X2, segments[i].Y2), i);
        }
        var used = new bool[segments.Count];
        var polylines = new List<IReadOnlyList<(double X, double Y)>>();
        for (int start = 0; start < segments.Count; start++)
        {
            if (used[start]) continue;
            used[start] = true;
            var line = new LinkedList<(double X, double Y)>();
            line.AddLast((segments[start].X1, segments[start].Y1));
            line.AddLast((segments[start].X2, segments[start].Y2));
            Extend(line, atEnd: true);
            Extend(line, atEnd: false);
            polylines.Add(line.ToList());
        }
        return polylines;

        void Extend(LinkedList<(double X, double Y)> line, bool atEnd)
        {
            while (true)
            {
                var tip = atEnd ? line.Last!.Value : line.First!.Value;
                int next = byPoint[tip].FirstOrDefault(i => !used[i], -1);
                if (next < 0) return;
                used[next] = true;
                var s = segments[next];
                var other = (s.X1, s.Y1) == tip ? (s.X2, s.Y2) : (s.X1, s.Y1);
                if (atEnd) line.AddLast(other); else line.AddFirst(other);
            }
        }
    }

    static void Attach(Dictionary<(double, double), List<int>> byPoint, (double, double) point, int segment)
    {
        if (!byPoint.TryGetValue(point, out var list)) byPoint[point] = list = [];
        list.Add(segment);
    }

    static void Add(List<ContourSegment> segments, (double X, double Y) a, (double X, double Y) b)
    {
        if (a != b) segments.Add(new ContourSegment(a.X, a.Y, b.X, b.Y));
    }

    /// <summary>Where the edge from node a to node b crosses the level, by linear interpolation; callers pass a before b in grid order.</summary>
    static (double, double) Cross(double xa, double ya, double za, double xb, double yb, double zb, double level)
    {
        double t = (level - za) / (zb - za);
        // Keeping the constant coordinate untouched puts the point exactly on the grid line.
        return (xa == xb ? xa : xa + t * (xb - xa), ya == yb ? ya : ya + t * (yb - ya));
    }

    internal static void CheckGrid(IReadOnlyList<double> x, IReadOnlyList<double> y, double[,] z)
    {
        if (z.GetLength(0) != y.Count || z.GetLength(1) != x.Count)
            throw new ArgumentException($"z is [{z.GetLength(0)}, {z.GetLength(1)}] but must be [len(y)={y.Count}, len(x)={x.Count}]");
        for (int i = 1; i < x.Count; i++)
            if (!(x[i] > x[i - 1])) throw new ArgumentException("x grid must be strictly increasing");
        for (int i = 1; i < y.Count; i++)
            if (!(y[i] > y[i - 1])) throw new ArgumentException("y grid must be strictly increasing");
    }
}
