using LossLandscape.Connectivity;
using LossLandscape.Data;
using LossLandscape.Geometry;
using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Connectivity;

public class CurveTests
{
    [Theory]
    [InlineData(CurveKind.Bezier, 3)]
    [InlineData(CurveKind.Bezier, 5)]
    [InlineData(CurveKind.PolyChain, 4)]
    public void CurvesStartAndEndAtTheEndpointsAndCoefficientsSumToOne(CurveKind kind, int points)
    {
        using var a = randn(10, dtype: ScalarType.Float64);
        using var b = randn(10, dtype: ScalarType.Float64);
        using var curve = new ConnectingCurve(kind, a, b, points);
        Assert.Equal(points - 2, curve.Bends.Count);
        using (var w0 = curve.At(0)) Assert.True(w0.allclose(a));
        using (var w1 = curve.At(1)) Assert.True(w1.allclose(b));
        foreach (var t in new[] { 0.0, 0.13, 0.5, 0.77, 1.0 })
            Assert.Equal(1.0, curve.Coefficients(t).Sum(), 12);
        // Bends start on the segment, so the untrained curve is the segment itself.
        using var mid = curve.At(0.3);
        Assert.True(mid.allclose(a.mul(0.7).add(b.mul(0.3)), rtol: 1e-9, atol: 1e-12));
    }

    [Fact]
    public void BezierCoefficientsAreBernsteinPolynomials()
    {
        using var a = zeros(3);
        using var curve = new ConnectingCurve(CurveKind.Bezier, a, a, 3);
        var c = curve.Coefficients(0.25);
        Assert.Equal(new[] { 0.5625, 0.375, 0.0625 }, c.Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void BendGradientMatchesFiniteDifferencesOfTheCurveLoss()
    {
        using var data = SyntheticSets.GaussianMixture(new GaussianMixtureSettings(3, 6, 1.0, 40, 10, Seed: 2));
        using var model = ModelRegistry.Create(new ModelSpec("mlp", 5, 1, InputChannels: 6, ImageSize: 1, Classes: 3), 1);
        model.to(ScalarType.Float64);
        using var x = data.Train.Inputs.to(ScalarType.Float64);
        using var y = data.Train.Labels;
        using var wa = ParameterVector.Get(model);
        using var wb = wa.add(randn_like(wa));
        using var curve = new ConnectingCurve(CurveKind.Bezier, wa, wb, 4);
        using (no_grad()) foreach (var bend in curve.Bends) bend.add_(randn_like(bend).mul(0.1));
        const double t = 0.37, wd = 1e-2;
        var (_, gradients) = CurveTraining.LossAndBendGradients(curve, model, x, y, t, wd);
        for (int b = 0; b < curve.Bends.Count; b++)
        {
            using var v = randn_like(curve.Bends[b]);
            double Objective(double h)
            {
                using (no_grad()) curve.Bends[b].add_(v, alpha: h);
                var (loss, _) = CurveTraining.LossAndBendGradients(curve, model, x, y, t, wd);
                using (no_grad()) curve.Bends[b].add_(v, alpha: -h);
                return loss.ToDouble();
            }
            double numeric = (Objective(1e-6) - Objective(-1e-6)) / 2e-6;
            double analytic = gradients[b].dot(v).ToDouble();
            Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * Math.Max(1, Math.Abs(analytic)), $"bend {b}: {analytic} vs {numeric}");
        }
    }
}
