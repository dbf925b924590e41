using ScottPlot;

namespace LossLandscape.Reporting;

/// <summary>A tick on a log10 axis: <see cref="Position"/> is log10 of the value, <see cref="Label"/> the value itself (empty for minor ticks).</summary>
public readonly record struct LogTick(double Position, string Label, bool IsMajor);

/// <summary>
/// Ticks for axes whose data were plotted as log10 values (ScottPlot 5 has no log axis of its own): majors at
/// powers of ten labelled with the value ("0.01", "100", "1e-5"), minors at 2..9 times each power, and when the
/// range is under a decade or two, labels at 2 and 5 (or every multiple) so the axis is never bare.
/// </summary>
public static class LogTicks
{
    /// <summary>The ticks between log10 positions <paramref name="min"/> and <paramref name="max"/>.</summary>
    public static IReadOnlyList<LogTick> Between(double min, double max, int maxMajorTicks = 8)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) return [];
        if (min > max) (min, max) = (max, min);
        int first = (int)Math.Floor(min), last = (int)Math.Ceiling(max);
        double span = max - min;
        // Which multiples of each decade get a label: only 1 on wide ranges, more as the range narrows.
        int[] labelled = span < 0.6 ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : span < 1.6 ? [1, 2, 5] : [1];
        int decadeStep = NiceStep((int)Math.Ceiling((last - first) / (double)Math.Max(1, maxMajorTicks)));
        var ticks = new List<LogTick>();
        for (int k = first; k <= last; k++)
        {
            bool decadeLabelled = k % decadeStep == 0;
            for (int m = 1; m <= 9; m++)
            {
                if (m > 1 && decadeStep > 1) break; // too many decades for minor ticks to be readable
                double position = k + Math.Log10(m);
                if (position < min - 1e-9 || position > max + 1e-9) continue;
                bool major = decadeLabelled && labelled.Contains(m);
                ticks.Add(new LogTick(position, major ? Label(m, k) : "", major));
            }
        }
        return ticks;
    }

    /// <summary>The smallest of 1, 2, 5, 10, 20, 50, ... decades per label that is at least <paramref name="minimum"/>.</summary>
    static int NiceStep(int minimum)
    {
        for (int scale = 1; ; scale *= 10)
            foreach (int step in new[] { 1, 2, 5 })
                if (step * scale >= minimum) return step * scale;
    }

    /// <summary>The label of <c>m * 10^k</c>: plain decimals from 0.001 to 10000, else "2e-5".</summary>
    public static string Label(int mantissa, int exponent)
    {
        var m = mantissa.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (exponent is >= 0 and <= 4) return m + new string('0', exponent);
        if (exponent is < 0 and >= -3) return "0." + new string('0', -exponent - 1) + m;
        return $"{m}e{exponent}";
    }
}

/// <summary>Regenerates <see cref="LogTicks"/> for whatever range ScottPlot is about to draw.</summary>
sealed class LogTickGenerator : ITickGenerator
{
    public Tick[] Ticks { get; set; } = [];
    public int MaxTickCount { get; set; } = 10_000;

    public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle)
    {
        int maxMajor = Math.Clamp((int)(size.Length / (edge.IsVertical() ? 40 : 70)), 2, 10);
        Ticks = LogTicks.Between(range.Min, range.Max, maxMajor)
            .Select(t => t.IsMajor ? Tick.Major(t.Position, t.Label) : Tick.Minor(t.Position))
            .ToArray();
    }
}
