using MathNet.Numerics;

namespace LossLandscape.Ensembles;

/// <summary>
/// The plain power law y = b x^a, fitted by least squares on log y = log b + a log x (so relative errors count
/// equally at every scale). Lobacheva et al. 2020 fit it to the lower envelope of CNLL over widths against the
/// memory budget. <see cref="RSquared"/> is the coefficient of determination of that log-log regression.
/// </summary>
public sealed record PowerLaw(double B, double A, double RSquared, int Points)
{
    public double Predict(double x) => B * Math.Pow(x, A);

    public static PowerLaw Fit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new LandscapeException($"{x.Count} x values but {y.Count} y values");
        if (x.Count < 2 || x.Distinct().Count() < 2) throw new LandscapeException("a power law needs at least 2 points with distinct x");
        if (x.Concat(y).Any(v => !(v > 0) || double.IsInfinity(v))) throw new LandscapeException("a log-log fit needs positive, finite x and y");
        var logX = x.Select(v => Math.Log(v)).ToArray();
        var logY = y.Select(v => Math.Log(v)).ToArray();
        var (intercept, slope) = MathNet.Numerics.Fit.Line(logX, logY);
        double rSquared = GoodnessOfFit.CoefficientOfDetermination(logX.Select(v => intercept + slope * v), logY);
        return new PowerLaw(Math.Exp(intercept), slope, rSquared, x.Count);
    }
}
