using static TorchSharp.torch;

namespace LossLandscape.Connectivity;

public enum CurveKind { Bezier, PolyChain }

/// <summary>
/// A curve w(t) = sum_i c_i(t) w_i in weight space from w_0 to w_{n-1} (Garipov et al. 2018), over flat parameter
/// vectors of any registered model: Bezier, c_i(t) = C(n-1, i) t^i (1-t)^(n-1-i), or PolyChain, piecewise linear
/// through the points at t = i/(n-1). <see cref="Points"/> counts the endpoints, as Garipov's "3 bends" does:
/// three points have one trainable bend. w(t) is linear in the bends, so one backward pass at w(t) gives every
/// bend's gradient: c_i(t) times the gradient at w(t).
/// </summary>
public sealed class ConnectingCurve : IDisposable
{
    public ConnectingCurve(CurveKind kind, Tensor start, Tensor end, int points = 3)
    {
        if (points < 2) throw new LandscapeException($"a curve needs at least 2 points (the endpoints), got {points}");
        Kind = kind;
        using var _ = no_grad();
        Start = start.detach().clone();
        End = end.detach().clone();
        // Bends start on the segment, evenly spaced, as in Garipov's code.
        Bends = Enumerable.Range(1, points - 2)
            .Select(i => new TorchSharp.Modules.Parameter(Start.mul(1 - (double)i / (points - 1)).add_(End, alpha: (double)i / (points - 1))))
            .ToList();
    }

    public CurveKind Kind { get; }
    public Tensor Start { get; }
    public Tensor End { get; }
    public IReadOnlyList<TorchSharp.Modules.Parameter> Bends { get; }
    public int Points => Bends.Count + 2;

    /// <summary>c_i(t) for every point i = 0..n-1 (endpoints included).</summary>
    public double[] Coefficients(double t)
    {
        int n = Points;
        var c = new double[n];
        if (Kind == CurveKind.Bezier)
        {
            for (int i = 0; i < n; i++) c[i] = Binomial(n - 1, i) * Math.Pow(t, i) * Math.Pow(1 - t, n - 1 - i);
            return c;
        }
        double position = Math.Clamp(t, 0, 1) * (n - 1);
        int segment = Math.Min((int)Math.Floor(position), n - 2);
        double s = position - segment;
        c[segment] = 1 - s;
        c[segment + 1] = s;
        return c;
    }

    /// <summary>w(t) as a new tensor.</summary>
    public Tensor At(double t)
    {
        using var _ = no_grad();
        var c = Coefficients(t);
        var w = Start.mul(c[0]).add_(End, alpha: c[^1]);
        for (int i = 0; i < Bends.Count; i++) w.add_(Bends[i], alpha: c[i + 1]);
        return w;
    }

    /// <summary>Every point of the curve's control polygon, endpoints included (copies).</summary>
    public IReadOnlyList<Tensor> ControlPoints() =>
        new[] { Start }.Concat(Bends).Append(End).Select(p => p.detach().clone()).ToList();

    static double Binomial(int n, int k)
    {
        double r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }

    public void Dispose()
    {
        Start.Dispose();
        End.Dispose();
        foreach (var b in Bends) b.Dispose();
    }
}
