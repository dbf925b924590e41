using static TorchSharp.torch;

namespace LossLandscape.Models;

/// <summary>
/// Reorders hidden units as a <see cref="PermutationSpec"/> says: every axis the spec assigns to a group is
/// index_select-ed with that group's permutation. A permuted network computes the same function.
/// </summary>
public static class Permutation
{
    /// <summary>
    /// One tensor permuted along every axis the spec lists for it (a new tensor; groups absent from
    /// <paramref name="perms"/> stay as they are).
    /// </summary>
    public static Tensor ApplyToTensor(PermutationSpec spec, PermutationSet perms, string name, Tensor value, string? exceptGroup = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var axes = spec.AxesOf(name).Axes;
        var result = value.detach();
        for (int axis = 0; axis < axes.Count; axis++)
        {
            if (axes[axis] is not { } group || group == exceptGroup || !perms.GroupNames.Contains(group)) continue;
            result = result.index_select(axis, perms.ToTensor(group, value.device));
        }
        return result.clone().MoveToOuterDisposeScope();
    }

    /// <summary>A permuted copy of a state dictionary (the input is left untouched; the caller owns the result).</summary>
    public static Dictionary<string, Tensor> Apply(PermutationSpec spec, PermutationSet perms, IReadOnlyDictionary<string, Tensor> state) =>
        state.ToDictionary(kv => kv.Key, kv => ApplyToTensor(spec, perms, kv.Key, kv.Value));

    /// <summary>Permutes a model's parameters and buffers in place.</summary>
    public static void ApplyInPlace(LandscapeModel model, PermutationSet perms) => ApplyInPlace(PermutationSpec.For(model), model, perms);

    public static void ApplyInPlace(PermutationSpec spec, nn.Module model, PermutationSet perms)
    {
        using var _ = no_grad();
        foreach (var (name, target) in model.state_dict())
        {
            using var permuted = ApplyToTensor(spec, perms, name, target);
            target.copy_(permuted);
        }
    }

    /// <summary>A snapshot (clones) of a model's state, which state_dict alone is not: its tensors share memory with the model.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model)
    {
        using var _ = no_grad();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }
}
