using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Geometry;

/// <summary>How a direction is scaled relative to the weights it perturbs (Li et al. 2018).</summary>
public enum DirectionNormalization
{
    /// <summary>Raw Gaussian direction.</summary>
    None,
    /// <summary>Each output filter (row of a linear weight, output channel of a conv kernel) scaled to the norm of the same filter of the weights.</summary>
    Filter,
    /// <summary>Each tensor scaled to the norm of the same tensor of the weights.</summary>
    Layer,
}

/// <summary>What happens to one parameter tensor's part of a direction.</summary>
public enum SlotRule { Filterwise, Layerwise, Raw, Zeroed, CopyOfWeights }

/// <param name="IncludeBiasAndBatchNorm">
/// 1-D tensors (biases, BatchNorm scales and shifts) are zeroed by default, as in the reference code; when
/// included, that code copies the weights into the direction, which we do too.
/// </param>
public sealed record DirectionSettings(
    DirectionNormalization Normalization = DirectionNormalization.Filter,
    bool IncludeBiasAndBatchNorm = false,
    bool Orthogonalize = false);

/// <summary>
/// Random directions in parameter space and their normalisation. The rule for each tensor is data
/// (<see cref="Rules"/>), read by the normaliser and by the tests, so there is one place that says which
/// tensors are normalised how.
/// </summary>
public static class Directions
{
    public static IReadOnlyList<SlotRule> Rules(ParameterLayout layout, DirectionSettings settings) =>
        layout.Slots.Select(slot => (slot.IsFilterBank, settings.Normalization, settings.IncludeBiasAndBatchNorm) switch
        {
            (false, DirectionNormalization.None, _) => SlotRule.Raw,
            (false, _, false) => SlotRule.Zeroed,
            (false, _, true) => SlotRule.CopyOfWeights,
            (true, DirectionNormalization.Filter, _) => SlotRule.Filterwise,
            (true, DirectionNormalization.Layer, _) => SlotRule.Layerwise,
            (true, DirectionNormalization.None, _) => SlotRule.Raw,
            _ => throw new InvalidOperationException("unreachable"),
        }).ToList();

    /// <summary>A Gaussian vector with the layout's dimension, from its own seeded generator.</summary>
    public static Tensor Gaussian(ParameterLayout layout, int seed, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        using var generator = new Generator((ulong)seed);
        using var d = randn(layout.Dimension, dtype: ScalarType.Float32, generator: generator);
        return d.to(dtype, device ?? CPU);
    }

    /// <summary>Applies the rules to a copy of <paramref name="direction"/>, using the norms of <paramref name="weights"/>.</summary>
    public static Tensor Normalize(Tensor direction, Tensor weights, ParameterLayout layout, DirectionSettings settings)
    {
        using var _ = no_grad();
        var result = direction.clone();
        var rules = Rules(layout, settings);
        var d = layout.Split(result);
        var w = layout.Split(weights);
        for (int i = 0; i < rules.Count; i++)
        {
            using var scope = NewDisposeScope();
            switch (rules[i])
            {
                case SlotRule.Filterwise:
                {
                    var rows = d[i].view(d[i].shape[0], -1);
                    var wRows = w[i].reshape(w[i].shape[0], -1);
                    var scale = wRows.norm(1, keepdim: true).div(rows.norm(1, keepdim: true).add(1e-10));
                    rows.mul_(scale);
                    break;
                }
                case SlotRule.Layerwise:
                    d[i].mul_(w[i].norm().div(d[i].norm().add(1e-10)));
                    break;
                case SlotRule.Zeroed:
                    d[i].zero_();
                    break;
                case SlotRule.CopyOfWeights:
                    d[i].copy_(w[i]);
                    break;
                case SlotRule.Raw:
                    break;
            }
        }
        return result;
    }

    /// <summary>
    /// <paramref name="count"/> normalised random directions around <paramref name="weights"/>; with
    /// <see cref="DirectionSettings.Orthogonalize"/>, each is made orthogonal to the ones before (Gram-Schmidt,
    /// keeping its norm), which matters little in high dimension but makes 2-D grids exact planes.
    /// </summary>
    public static List<Tensor> RandomNormalized(Tensor weights, ParameterLayout layout, DirectionSettings settings, int seed, int count)
    {
        var result = new List<Tensor>();
        for (int k = 0; k < count; k++)
        {
            using var raw = Gaussian(layout, seed + 7919 * k, weights.dtype, weights.device);
            var d = Normalize(raw, weights, layout, settings);
            if (settings.Orthogonalize)
            {
                using var _ = no_grad();
                double norm = d.norm().ToDouble();
                foreach (var previous in result)
                    d.sub_(previous.mul(d.dot(previous).div(previous.dot(previous))));
                d.mul_(norm / Math.Max(d.norm().ToDouble(), 1e-30));
            }
            result.Add(d);
        }
        return result;
    }
}
