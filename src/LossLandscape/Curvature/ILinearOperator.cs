using static TorchSharp.torch;

namespace LossLandscape.Curvature;

/// <summary>
/// A symmetric linear map on flat vectors, known only through its products v -> Av. Curvature algorithms
/// (Lanczos, power iteration, Hutchinson, spectral density) see nothing else, so how a Hessian walks its data
/// is decided once, in the operator, and never again in an algorithm.
/// </summary>
public interface ILinearOperator
{
    /// <summary>Length of the vectors the operator maps.</summary>
    long Dimension { get; }

    ScalarType DType { get; }

    Device Device { get; }

    /// <summary>Products applied so far: the unit of cost every algorithm reports.</summary>
    long Products { get; }

    /// <summary>Av for a flat vector v of <see cref="Dimension"/> values, dtype and device as the operator's. v is not modified.</summary>
    Tensor Apply(Tensor v);
}

internal static class LinearOperatorChecks
{
    /// <summary>Rejects a vector the operator cannot take, before any native call sees it.</summary>
    public static void RequireVector(ILinearOperator op, Tensor v, string parameterName = "v")
    {
        if (v.shape.Length != 1 || v.shape[0] != op.Dimension)
            throw new ArgumentException($"expected a vector of {op.Dimension} values, got shape [{string.Join(",", v.shape)}]", parameterName);
        if (v.dtype != op.DType)
            throw new ArgumentException($"expected dtype {op.DType}, got {v.dtype}", parameterName);
        if (v.device.type != op.Device.type || v.device.index != op.Device.index)
            throw new ArgumentException($"expected a vector on {op.Device}, got one on {v.device}", parameterName);
    }

    public static bool IsFloating(ScalarType t) =>
        t is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    /// <summary>Rounding unit of a floating dtype; thresholds for breakdown scale with it.</summary>
    public static double Epsilon(ScalarType t) => t switch
    {
        ScalarType.Float64 => 2.220446049250313e-16,
        ScalarType.Float32 => 1.1920929e-07,
        ScalarType.BFloat16 => 7.8125e-3,
        _ => 9.765625e-4,
    };
}
