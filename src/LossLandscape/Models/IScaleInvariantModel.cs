namespace LossLandscape.Models;

/// <summary>
/// A model whose output does not change when the parameters named by <see cref="ScaleInvariantParameterNames"/> are
/// multiplied together by any c &gt; 0: each of them feeds a BatchNorm without affine parameters, so only its
/// direction matters (Lobacheva et al. 2021; Kodryan et al. 2022). Every BatchNorm of such a model normalises the
/// output of a layer of the group, so scaling the group by c scales every BatchNorm input by c. Up to BatchNorm's
/// eps the invariance is exact; see <see cref="ScaleInvariantGroup"/>.
/// </summary>
public interface IScaleInvariantModel
{
    /// <summary>The norm at which the scale-invariant models fix their frozen last layer (Lobacheva et al. 2021).</summary>
    const double HeadNorm = 10;

    /// <summary>Names (as in named_parameters) of the parameters of the scale-invariant group.</summary>
    IReadOnlyList<string> ScaleInvariantParameterNames { get; }
}
