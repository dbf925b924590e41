using LossLandscape.Geometry;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Sharpness;

/// <param name="Epsilon">Box half-width relative to |w_i| + 1 (Keskar et al. 2017 use 1e-3 and 5e-4).</param>
/// <param name="Steps">Projected gradient-ascent steps (sign steps of 2 epsilon-box / Steps, as in PGD).</param>
public sealed record EpsilonSharpnessSettings(double Epsilon = 1e-3, int Steps = 20, int Seed = 0);

public sealed record SharpnessResult(string Measure, double Value, double BaseLoss, double WorstLoss, long Evaluations, string Detail = "");

/// <summary>
/// Keskar et al.'s epsilon-sharpness: 100 (max over the box |y_i| &lt;= eps (|w_i| + 1) of f(w + y) - f(w)) / (1 + f(w)).
/// The maximum is sought by projected gradient ascent from a small random start (at a minimum the gradient
/// vanishes, so a start at y = 0 would not move); the value is a lower bound on the true maximum.
/// The box scales with |w|, so the measure is comparable across BatchNorm networks of different weight norm.
/// </summary>
public static class EpsilonSharpness
{
    public static SharpnessResult Measure(WeightSpaceLoss loss, Tensor w, EpsilonSharpnessSettings settings)
    {
        using var scope = NewDisposeScope();
        double f0 = loss.Value(w);
        var box = w.abs().add(1).mul(settings.Epsilon);
        using var generator = new Generator((ulong)settings.Seed);
        var y = rand(w.shape, dtype: w.dtype, generator: generator).to(w.device).mul(2).sub(1).mul(box).mul(0.1);
        double worst = f0;
        var step = box.mul(2.0 / settings.Steps);
        for (int k = 0; k < settings.Steps; k++)
        {
            using var stepScope = NewDisposeScope();
            var (value, gradient) = loss.ValueAndGradient(w.add(y));
            worst = Math.Max(worst, value);
            y.add_(gradient.sign().mul(step));
            y = torch.minimum(torch.maximum(y, box.neg()), box).MoveToOuterDisposeScope();
        }
        worst = Math.Max(worst, loss.Value(w.add(y)));
        return new SharpnessResult("epsilon-sharpness", 100 * (worst - f0) / (1 + f0), f0, worst, loss.Evaluations,
            $"eps={settings.Epsilon}, steps={settings.Steps}");
    }
}
