using LossLandscape.Geometry;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Sharpness;

/// <param name="Rho">Radius of the ball in the rescaled coordinates z = y / (|w| + Eta).</param>
/// <param name="Eta">ASAM's offset in the scaling |w| + eta.</param>
public sealed record AdaptiveSharpnessSettings(double Rho = 0.5, double Eta = 0.01, int Steps = 10);

/// <summary>
/// Adaptive sharpness (Kwon et al. 2021, ASAM): max over ||y / (|w| + eta)||_2 &lt;= rho of f(w + y) - f(w),
/// found by normalised gradient ascent in the rescaled coordinates with projection onto the ball. Invariant
/// to rescalings of the weights that leave the network's function unchanged (up to eta).
/// </summary>
public static class AdaptiveSharpness
{
    public static SharpnessResult Measure(WeightSpaceLoss loss, Tensor w, AdaptiveSharpnessSettings settings)
    {
        using var scope = NewDisposeScope();
        double f0 = loss.Value(w);
        var scale = w.abs().add(settings.Eta);
        var z = zeros_like(w);
        double worst = f0, stepLength = 2 * settings.Rho / settings.Steps;
        for (int k = 0; k < settings.Steps; k++)
        {
            using var stepScope = NewDisposeScope();
            var (value, gradient) = loss.ValueAndGradient(w.add(z.mul(scale)));
            worst = Math.Max(worst, value);
            var g = gradient.mul(scale); // gradient with respect to z
            z.add_(g.div(g.norm().clamp_min(1e-30)).mul(stepLength));
            double norm = z.norm().ToDouble();
            if (norm > settings.Rho) z.mul_(settings.Rho / norm);
        }
        worst = Math.Max(worst, loss.Value(w.add(z.mul(scale))));
        return new SharpnessResult("adaptive-sharpness", worst - f0, f0, worst, loss.Evaluations,
            $"rho={settings.Rho}, eta={settings.Eta}, steps={settings.Steps}");
    }
}
