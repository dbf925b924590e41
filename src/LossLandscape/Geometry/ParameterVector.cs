using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Geometry;

/// <summary>
/// A model's trainable parameters as one flat vector and back. Reads return a copy (never a view that would
/// change with the model); writes copy into the model's own tensors.
/// </summary>
public static class ParameterVector
{
    /// <summary>The trainable parameters, concatenated in <see cref="ParameterLayout"/> order (a copy).</summary>
    public static Tensor Get(nn.Module model)
    {
        using var _ = no_grad();
        return cat(model.parameters().Select(p => p.detach().reshape(-1)).ToList()).clone();
    }

    /// <summary>Copies a flat vector into the model's trainable parameters.</summary>
    public static void Set(nn.Module model, Tensor flat)
    {
        using var _ = no_grad();
        var parameters = model.parameters().ToList();
        long dimension = parameters.Sum(p => p.numel());
        if (flat.shape.Length != 1 || flat.shape[0] != dimension)
            throw new ArgumentException($"the model has {dimension} parameters, the vector has shape [{string.Join(",", flat.shape)}]");
        long offset = 0;
        foreach (var p in parameters)
        {
            using var piece = flat.narrow(0, offset, p.numel()).view(p.shape);
            p.copy_(piece);
            offset += p.numel();
        }
    }

    /// <summary>The gradients held in p.grad, flattened in layout order (zeros where a parameter has none).</summary>
    public static Tensor Gradient(nn.Module model)
    {
        using var _ = no_grad();
        return cat(model.parameters().Select(p => p.grad is { } g ? g.reshape(-1) : zeros(p.numel(), dtype: p.dtype, device: p.device)).ToList()).clone();
    }
}
