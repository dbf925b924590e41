using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Geometry;

/// <summary>
/// The plane through three points w0, w1, w2 (Garipov et al. 2018): U = (w2 - w0) normalised, V = (w1 - w0)
/// made orthogonal to U and normalised. point(x, y) = w0 + x U + y V; <see cref="Coordinates"/> projects any
/// point onto the plane. The three points sit at (0, 0), w1's projection and (|w2 - w0|, 0).
/// </summary>
public sealed class Plane : IDisposable
{
    public Plane(Tensor w0, Tensor w1, Tensor w2)
    {
        using var _ = no_grad();
        Origin = w0.clone();
        var u = w2.sub(w0);
        ULength = u.norm().ToDouble();
        if (ULength == 0) throw new LandscapeException("the plane's first and third points coincide");
        U = u.div_(ULength);
        var v = w1.sub(w0);
        v.sub_(U.mul(v.dot(U)));
        VLength = v.norm().ToDouble();
        if (VLength == 0) throw new LandscapeException("the plane's three points are collinear");
        V = v.div_(VLength);
    }

    public Tensor Origin { get; }
    public Tensor U { get; }
    public Tensor V { get; }
    public double ULength { get; }
    public double VLength { get; }

    public (double X, double Y) Coordinates(Tensor point)
    {
        using var _ = no_grad();
        using var d = point.sub(Origin);
        return (d.dot(U).ToDouble(), d.dot(V).ToDouble());
    }

    public Tensor At(double x, double y)
    {
        using var _ = no_grad();
        return Origin.add(U, alpha: x).add_(V, alpha: y);
    }

    public void Dispose()
    {
        Origin.Dispose();
        U.Dispose();
        V.Dispose();
    }
}
