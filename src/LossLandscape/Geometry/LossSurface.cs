namespace LossLandscape.Geometry;

/// <summary>
/// Walks a 1-D or 2-D grid with an evaluator, in chunks the evaluator likes, skipping points already measured
/// (so a killed computation resumes at the first missing point) and handing each finished chunk to the caller
/// to store before the next one starts.
/// </summary>
public static class LossSurface
{
    /// <summary>Grid points in storage order: beta outer, alpha inner; a 1-D grid has beta = 0.</summary>
    public static List<(double Alpha, double Beta)> Points(GridAxis alpha, GridAxis? beta) =>
        (beta?.Values ?? new[] { 0.0 }).SelectMany(b => alpha.Values.Select(a => (a, b))).ToList();

    public static List<SurfacePoint> Compute(ISurfaceEvaluator evaluator, GridAxis alpha, GridAxis? beta,
        IReadOnlyCollection<SurfacePoint>? done = null, Action<IReadOnlyList<SurfacePoint>>? onChunk = null,
        Action<int, int>? progress = null)
    {
        var all = Points(alpha, beta);
        var measured = new Dictionary<(double, double), SurfacePoint>();
        foreach (var p in done ?? Array.Empty<SurfacePoint>())
            if (Match(all, p) is { } key) measured[key] = p;
        var missing = all.Where(p => !measured.ContainsKey(p)).ToList();
        int chunk = Math.Max(1, evaluator.PreferredChunk);
        progress?.Invoke(measured.Count, all.Count);
        for (int start = 0; start < missing.Count; start += chunk)
        {
            var batch = missing.Skip(start).Take(chunk).ToList();
            var values = evaluator.Evaluate(batch);
            var points = batch.Select((p, i) => new SurfacePoint(p.Alpha, p.Beta, values[i].Loss, values[i].Accuracy)).ToList();
            foreach (var p in points) measured[(p.Alpha, p.Beta)] = p;
            onChunk?.Invoke(points);
            progress?.Invoke(measured.Count, all.Count);
        }
        return all.Select(p => measured[p]).ToList();
    }

    /// <summary>The grid point a stored point belongs to (stored coordinates went through text, so compare with a tolerance).</summary>
    static (double, double)? Match(List<(double Alpha, double Beta)> grid, SurfacePoint p)
    {
        foreach (var g in grid)
            if (Math.Abs(g.Alpha - p.Alpha) <= 1e-9 * (1 + Math.Abs(g.Alpha)) && Math.Abs(g.Beta - p.Beta) <= 1e-9 * (1 + Math.Abs(g.Beta)))
                return g;
        return null;
    }
}
