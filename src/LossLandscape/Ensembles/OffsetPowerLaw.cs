using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace LossLandscape.Ensembles;

/// <summary>A fitted parameter: its value, standard error and the bounds of its 95% confidence interval.</summary>
public readonly record struct ParameterEstimate(double Value, double StandardError, double Lower, double Upper);

/// <summary>
/// The power law with an offset y(n) = c + b n^a, a &lt; 0, b &gt; 0: c is the value at infinite n (the asymptote),
/// b the gap at n = 1, a the rate. Lobacheva et al. 2020 fit it to CNLL against ensemble size and against width.
/// Standard errors come from the Jacobian J at the optimum, cov = s^2 (J^T W J)^-1 with s^2 = sum_i w_i r_i^2 / (N - 3);
/// the intervals are value +- t(0.975, N - 3) * standard error (they ignore the bounds, so treat a fit with a on
/// a bound of its range or b = 0 as degenerate). They are NaN when J^T W J is numerically singular (b = 0, where the
/// exponent does not act). <see cref="RSquared"/> = 1 - sum w r^2 / sum w (y - weighted mean)^2.
/// </summary>
public sealed record OffsetPowerLaw(ParameterEstimate C, ParameterEstimate B, ParameterEstimate A, double RSquared, int Points)
{
    /// <summary>Range searched for the exponent a.</summary>
    public const double MinExponent = -10, MaxExponent = -1e-4;

    public double Predict(double n) => C.Value + B.Value * Math.Pow(n, A.Value);

    /// <summary>
    /// Weighted least squares fit, min over (c, b, a) of sum_i w_i (y_i - c - b x_i^a)^2 with a in
    /// [<see cref="MinExponent"/>, <see cref="MaxExponent"/>] and b &gt;= 0. Weights are relative (for instance
    /// 1 / variance of each point; the noise level is estimated from the residuals), all 1 when null.
    /// </summary>
    /// <remarks>
    /// For a fixed a the model is linear in (c, b), so a scan over a (log-spaced |a|) with linear least squares for
    /// (c, b) at each a gives a start near the global optimum whatever the data; MathNet's Levenberg-Marquardt with
    /// box bounds then refines all three jointly. y is standardised for the refinement so its tolerances are
    /// scale-free; the result is mapped back.
    /// </remarks>
    public static OffsetPowerLaw Fit(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double>? weights = null)
    {
        int n = x.Count;
        if (y.Count != n) throw new LandscapeException($"{x.Count} x values but {y.Count} y values");
        if (n < 4) throw new LandscapeException($"a power law with offset has 3 parameters; fitting it with error bars needs at least 4 points, got {n}");
        if (x.Any(v => !(v > 0) || double.IsInfinity(v))) throw new LandscapeException("power-law x values must be positive and finite");
        if (x.Distinct().Count() < 3) throw new LandscapeException("a power law with offset needs at least 3 distinct x values");
        if (y.Any(v => !double.IsFinite(v))) throw new LandscapeException("power-law y values must be finite");
        var w = weights?.ToArray() ?? Enumerable.Repeat(1.0, n).ToArray();
        if (w.Length != n) throw new LandscapeException($"{w.Length} weights for {n} points");
        if (w.Any(v => !(v > 0) || double.IsInfinity(v))) throw new LandscapeException("weights must be positive and finite");

        double weightSum = w.Sum(), yMean = Enumerable.Range(0, n).Sum(i => w[i] * y[i]) / weightSum;
        double totalSquares = Enumerable.Range(0, n).Sum(i => w[i] * (y[i] - yMean) * (y[i] - yMean));
        if (!(totalSquares > 0)) throw new LandscapeException("all y values are equal: there is no power law to fit");
        double scale = Math.Sqrt(totalSquares / weightSum);
        var xs = x.ToArray();
        var ys = y.Select(v => (v - yMean) / scale).ToArray();

        var (c0, b0, a0) = ScanExponent(xs, ys, w);
        var (c, b, a) = Refine(xs, ys, w, c0, b0, a0);
        if (SumOfSquares(xs, ys, w, c, b, a) > SumOfSquares(xs, ys, w, c0, b0, a0)) (c, b, a) = (c0, b0, a0);
        c = yMean + scale * c;
        b *= scale;

        var residual = Enumerable.Range(0, n).Select(i => y[i] - (c + b * Math.Pow(xs[i], a))).ToArray();
        double residualSquares = Enumerable.Range(0, n).Sum(i => w[i] * residual[i] * residual[i]);
        var errors = StandardErrors(xs, w, b, a, residualSquares / (n - 3));
        double t = StudentT.InvCDF(0, 1, n - 3, 0.975);
        ParameterEstimate Estimate(double value, double se) => new(value, se, value - t * se, value + t * se);
        return new OffsetPowerLaw(Estimate(c, errors[0]), Estimate(b, errors[1]), Estimate(a, errors[2]), 1 - residualSquares / totalSquares, n);
    }

    /// <summary>Best (c, b, a) over a log-spaced grid of a, with (c, b >= 0) by weighted linear least squares.</summary>
    static (double C, double B, double A) ScanExponent(double[] x, double[] y, double[] w)
    {
        const int steps = 400;
        (double C, double B, double A) best = default;
        double bestSquares = double.PositiveInfinity;
        for (int j = 0; j <= steps; j++)
        {
            double a = -Math.Exp(Math.Log(-MaxExponent) + j * (Math.Log(-MinExponent) - Math.Log(-MaxExponent)) / steps);
            var (c, b) = LinearPart(x, y, w, a);
            double squares = SumOfSquares(x, y, w, c, b, a);
            if (squares < bestSquares) (best, bestSquares) = ((c, b, a), squares);
        }
        return best;
    }

    /// <summary>Weighted least squares of y on (1, x^a) with b clamped at 0 (then c is the weighted mean).</summary>
    static (double C, double B) LinearPart(double[] x, double[] y, double[] w, double a)
    {
        double sw = 0, su = 0, sy = 0, suu = 0, suy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double u = Math.Pow(x[i], a);
            sw += w[i]; su += w[i] * u; sy += w[i] * y[i]; suu += w[i] * u * u; suy += w[i] * u * y[i];
        }
        double variance = suu - su * su / sw; // weighted spread of u = x^a, > 0 with 2 distinct x and a != 0
        double b = variance > 0 ? Math.Max(0, (suy - su * sy / sw) / variance) : 0;
        return ((sy - b * su) / sw, b);
    }

    static (double C, double B, double A) Refine(double[] x, double[] y, double[] w, double c0, double b0, double a0)
    {
        // MathNet maps bounded parameters through sin(), which needs finite boxes on all three; c and b get boxes far
        // wider than standardised data can ask for (a c or b beyond +-1e3 standard deviations is no fit of this data).
        const double box = 1e3;
        var model = ObjectiveFunction.NonlinearModel(
            (p, xv) => xv.Map(v => p[0] + p[1] * Math.Pow(v, p[2])),
            (p, xv) => Matrix<double>.Build.Dense(xv.Count, 3, (i, j) => Column(j, xv[i], p[1], p[2])),
            Vector<double>.Build.DenseOfArray(x), Vector<double>.Build.DenseOfArray(y), Vector<double>.Build.DenseOfArray(w));
        var lower = new[] { Math.Min(c0, 0) - box, 0, MinExponent };
        var upper = new[] { Math.Max(c0, 0) + box, Math.Max(b0, 1) * box, MaxExponent };
        // Start strictly inside the box: on a bound the sin() map has zero slope and Levenberg-Marquardt cannot move.
        double Inside(double v, int j) => Math.Clamp(v, lower[j] + 1e-6 * (upper[j] - lower[j]), upper[j] - 1e-6 * (upper[j] - lower[j]));
        var start = new[] { Inside(c0, 0), Inside(b0, 1), Inside(a0, 2) };
        var result = new LevenbergMarquardtMinimizer(gradientTolerance: 1e-14, stepTolerance: 1e-14, functionTolerance: 1e-30, maximumIterations: 500)
            .FindMinimum(model, start, lower, upper);
        var p = result.MinimizingPoint; // the last point evaluated: the caller keeps the scan's point if this one is worse
        return (p[0], p[1], p[2]);
    }

    /// <summary>d(c + b x^a)/d(c, b, a)[j].</summary>
    static double Column(int j, double x, double b, double a) => j switch
    {
        0 => 1,
        1 => Math.Pow(x, a),
        _ => b * Math.Pow(x, a) * Math.Log(x),
    };

    static double SumOfSquares(double[] x, double[] y, double[] w, double c, double b, double a)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = y[i] - c - b * Math.Pow(x[i], a);
            sum += w[i] * r * r;
        }
        return sum;
    }

    /// <summary>
    /// Square roots of the diagonal of s^2 (J^T W J)^-1. The columns of W^1/2 J are scaled to unit norm first (their
    /// scales differ by orders of magnitude when x or y are large), and the inverse comes from the SVD of the scaled
    /// matrix, so the rank test sees collinearity, not units.
    /// </summary>
    static double[] StandardErrors(double[] x, double[] w, double b, double a, double residualVariance)
    {
        var j = Matrix<double>.Build.Dense(x.Length, 3, (i, k) => Math.Sqrt(w[i]) * Column(k, x[i], b, a));
        var norms = j.ColumnNorms(2);
        var nan = new[] { double.NaN, double.NaN, double.NaN };
        if (norms.Any(v => !(v > 0))) return nan; // b = 0: the exponent does not act
        var svd = j.NormalizeColumns(2).Svd();
        var s = svd.S;
        if (!(s[s.Count - 1] > 1e-10 * s[0])) return nan;
        var v = svd.VT.Transpose();
        return Enumerable.Range(0, 3)
            .Select(k => Math.Sqrt(residualVariance * Enumerable.Range(0, 3).Sum(m => v[k, m] * v[k, m] / (s[m] * s[m]))) / norms[k])
            .ToArray();
    }
}
