using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Models;

/// <summary>
/// The scale-invariant parameters of an <see cref="IScaleInvariantModel"/> and the operations on them: the norm
/// rho = ||w_SI||, the gradient norm, scaling the whole state, and projecting the weights onto a sphere.
/// <para>
/// Scaling the group by c scales every BatchNorm input x by c; BatchNorm then computes (cx - c mu) / sqrt(c^2 var + eps)
/// = (x - mu) / sqrt(var + eps / c^2). So the scaled model equals the unscaled one with eps replaced by eps / c^2:
/// the invariance is exact up to that change, a relative change of about eps |1 - 1/c^2| / (2 var) in each normalised
/// unit (var: that unit's batch variance in train mode, its running variance in eval mode). Gradients scale by 1/c
/// in the same sense.
/// </para>
/// </summary>
public sealed class ScaleInvariantGroup
{
    ScaleInvariantGroup(LandscapeModel model, IReadOnlyList<(string Name, Tensor Parameter)> parameters)
    {
        Model = model;
        Parameters = parameters;
    }

    public LandscapeModel Model { get; }

    /// <summary>The group's parameters (live tensors of the model).</summary>
    public IReadOnlyList<(string Name, Tensor Parameter)> Parameters { get; }

    /// <summary>Whether the model declares a scale-invariant group.</summary>
    public static bool Supports(LandscapeModel model) => model is IScaleInvariantModel;

    /// <summary>The group of a scale-invariant model; a user error for any other model.</summary>
    public static ScaleInvariantGroup Of(LandscapeModel model)
    {
        if (model is not IScaleInvariantModel si)
            throw new LandscapeException($"{model.Spec.Kind} is not scale invariant; use a scale-invariant model (convnet-si, mlp-si)");
        var byName = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var parameters = si.ScaleInvariantParameterNames.Select(n =>
            byName.TryGetValue(n, out var p) ? (n, p) : throw new InvalidOperationException($"{model.Spec.Kind} names '{n}', which is not one of its parameters")).ToList();
        if (parameters.Count == 0) throw new InvalidOperationException($"{model.Spec.Kind} declares an empty scale-invariant group");
        return new ScaleInvariantGroup(model, parameters);
    }

    /// <summary>True when the group is every trainable parameter of the model (as in ConvNetSI and MLP-SI).</summary>
    public bool CoversAllParameters => Parameters.Count == Model.parameters().Count();

    /// <summary>rho = ||w_SI||, accumulated in float64.</summary>
    public double Norm()
    {
        using var rho = NormTensor();
        return rho.ToDouble();
    }

    /// <summary>rho as a float64 scalar on the parameters' device, without a host synchronisation (the caller owns it).</summary>
    public Tensor NormTensor()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return SumOfSquares(Parameters.Select(p => p.Parameter)).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>||dL/dw_SI|| of the gradients now in .grad (a parameter without one counts as zero), float64, caller owns it.</summary>
    public Tensor GradientNormTensor()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var grads = Parameters.Select(p => p.Parameter.grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return zeros(Array.Empty<long>(), ScalarType.Float64, Parameters[0].Parameter.device).MoveToOuterDisposeScope();
        return SumOfSquares(grads).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Multiplies the group by <paramref name="c"/> and every BatchNorm's running mean by c and running variance by c^2:
    /// an exact symmetry of the model's state, so outputs are unchanged in train and in eval mode (up to eps, see the class).
    /// </summary>
    public void ScaleBy(double c)
    {
        if (!(c > 0) || double.IsInfinity(c)) throw new ArgumentOutOfRangeException(nameof(c), c, "a positive finite factor");
        using var _ = no_grad();
        foreach (var (_, p) in Parameters) p.mul_(c);
        foreach (var module in Model.modules())
        {
            if (module is not BatchNorm b) continue;
            b.running_mean?.mul_(c);
            b.running_var?.mul_(c * c);
        }
    }

    /// <summary>
    /// Rescales the group's weights (not the BatchNorm statistics) to norm <paramref name="radius"/>: the projection of
    /// training on the sphere. The running statistics are left alone on purpose: they were gathered at weights of norm
    /// <paramref name="radius"/> (the state before the step), which is where the projection returns.
    /// No host synchronisation.
    /// </summary>
    public void ProjectTo(double radius)
    {
        if (!(radius > 0) || double.IsInfinity(radius)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "a positive finite radius");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var factor = NormTensor().reciprocal().mul(radius);
        foreach (var (_, p) in Parameters) p.mul_(factor.to(p.dtype));
    }

    static Tensor SumOfSquares(IEnumerable<Tensor> tensors) =>
        stack(tensors.Select(t => t.to(ScalarType.Float64).pow(2).sum()).ToList()).sum();
}
