using LossLandscape.Geometry;
using static TorchSharp.torch;

namespace LossLandscape.Sharpness;

/// <param name="Delta">Loss increase that defines the edge of the basin.</param>
/// <param name="MaxRadius">Search limit in units of the filter-normalised direction.</param>
public sealed record DirectionalWidthSettings(double Delta = 0.1, int Directions = 10, double MaxRadius = 10, int Depth = 20, int Seed = 0);

/// <summary>
/// Width of a minimum along random filter-normalised directions: for each direction d and each sign, the
/// radius r at which f(w + r d) first exceeds f(w) + delta (bracketed, then bisected), averaged over
/// directions and signs. Filter normalisation makes the radius comparable across networks and invariant to
/// per-filter rescaling (BatchNorm networks); wider means flatter.
/// </summary>
public static class DirectionalWidth
{
    public static SharpnessResult Measure(WeightSpaceLoss loss, Tensor w, ParameterLayout layout, DirectionalWidthSettings settings)
    {
        double f0 = loss.Value(w);
        var radii = new List<double>();
        var directions = Directions.RandomNormalized(w, layout, new DirectionSettings(), settings.Seed, settings.Directions);
        foreach (var d in directions)
        {
            foreach (var sign in new[] { 1.0, -1.0 })
                radii.Add(Radius(r => loss.Value(w.add(d, alpha: sign * r)) - f0, settings));
            d.Dispose();
        }
        double mean = radii.Average();
        double sd = Math.Sqrt(radii.Sum(r => (r - mean) * (r - mean)) / Math.Max(1, radii.Count - 1));
        return new SharpnessResult("directional-width", mean, f0, double.NaN, loss.Evaluations,
            $"delta={settings.Delta}, {settings.Directions} directions x 2 signs, sd {sd:G4}, min {radii.Min():G4}, max {radii.Max():G4}");
    }

    static double Radius(Func<double, double> rise, DirectionalWidthSettings s)
    {
        double low = 0, high = Math.Min(0.05, s.MaxRadius);
        while (rise(high) < s.Delta)
        {
            low = high;
            high *= 2;
            if (high >= s.MaxRadius) return s.MaxRadius;
        }
        for (int i = 0; i < s.Depth; i++)
        {
            double mid = (low + high) / 2;
            if (rise(mid) < s.Delta) low = mid;
            else high = mid;
        }
        return (low + high) / 2;
    }
}
