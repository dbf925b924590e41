using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Geometry;

/// <summary>One trainable tensor's place in the flat parameter vector.</summary>
public sealed record ParameterSlot(string Name, long[] Shape, long Offset, long Count)
{
    /// <summary>Weights of linear / conv layers (2-D or more); 1-D tensors are biases and BatchNorm affine parameters.</summary>
    public bool IsFilterBank => Shape.Length >= 2;
}

/// <summary>
/// How a model's trainable parameters map onto one flat vector: in named_parameters order, each tensor
/// flattened row-major. Every vector in this library (weights, directions, gradients, Hessian-vector
/// products) uses this layout, so they can be added and compared freely.
/// </summary>
public sealed class ParameterLayout
{
    public ParameterLayout(IReadOnlyList<ParameterSlot> slots)
    {
        Slots = slots;
        Dimension = slots.Sum(s => s.Count);
    }

    public IReadOnlyList<ParameterSlot> Slots { get; }
    public long Dimension { get; }

    public static ParameterLayout Of(nn.Module model)
    {
        var slots = new List<ParameterSlot>();
        long offset = 0;
        foreach (var (name, p) in model.named_parameters())
        {
            slots.Add(new ParameterSlot(name, p.shape, offset, p.numel()));
            offset += p.numel();
        }
        return new ParameterLayout(slots);
    }

    /// <summary>Views of a flat vector shaped like each parameter (they share memory with <paramref name="flat"/>).</summary>
    public IReadOnlyList<Tensor> Split(Tensor flat)
    {
        if (flat.shape.Length != 1 || flat.shape[0] != Dimension)
            throw new ArgumentException($"expected a vector of {Dimension} values, got shape [{string.Join(",", flat.shape)}]");
        return Slots.Select(s => flat.narrow(0, s.Offset, s.Count).view(s.Shape)).ToList();
    }
}
