using System.Globalization;

namespace LossLandscape.Geometry;

/// <summary>Evenly spaced coordinates, written as "min:max:count" (count points including both ends), e.g. -1:1:51.</summary>
public sealed record GridAxis(double Min, double Max, int Count)
{
    public double this[int i] => Count == 1 ? Min : Min + (Max - Min) * i / (Count - 1);
    public IEnumerable<double> Values => Enumerable.Range(0, Count).Select(i => this[i]);

    public static GridAxis Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
            || !int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            throw new LandscapeException($"grid '{text}' is not of the form min:max:count, e.g. -1:1:51");
        if (count < 1 || count > 100_000) throw new LandscapeException($"grid '{text}': count must lie in [1, 100000]");
        if (!(max >= min)) throw new LandscapeException($"grid '{text}': max must not be below min");
        return new GridAxis(min, max, count);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Min:R}:{Max:R}:{Count}");
}
