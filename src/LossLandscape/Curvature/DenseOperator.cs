using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Curvature;

/// <summary>
/// An explicit symmetric matrix as an operator: for tests with a known spectrum and for problems small enough
/// to hold the matrix. Keeps its own copy of the matrix.
/// </summary>
public sealed class DenseOperator : ILinearOperator, IDisposable
{
    readonly Tensor matrix;

    public DenseOperator(Tensor matrix)
    {
        if (matrix.shape.Length != 2 || matrix.shape[0] != matrix.shape[1])
            throw new ArgumentException($"expected a square matrix, got shape [{string.Join(",", matrix.shape)}]", nameof(matrix));
        if (!LinearOperatorChecks.IsFloating(matrix.dtype))
            throw new ArgumentException($"expected a floating-point matrix, got {matrix.dtype}", nameof(matrix));
        using (no_grad())
        {
            // Lanczos and SLQ assume symmetry; an asymmetric matrix would give plausible but meaningless numbers.
            // sqrt(eps) relative tolerates the rounding of a product like Q D Q^T, not a genuinely asymmetric matrix.
            double scale = matrix.abs().max().ToDouble();
            double asymmetry = (matrix - matrix.t()).abs().max().ToDouble();
            if (asymmetry > Math.Sqrt(LinearOperatorChecks.Epsilon(matrix.dtype)) * Math.Max(scale, double.Epsilon))
                throw new ArgumentException($"the matrix is not symmetric (max |A - A^T| = {asymmetry:G3}, max |A| = {scale:G3})", nameof(matrix));
            this.matrix = matrix.detach().clone().DetachFromDisposeScope();
        }
    }

    public long Dimension => matrix.shape[0];
    public ScalarType DType => matrix.dtype;
    public Device Device => matrix.device;
    public long Products { get; private set; }

    public Tensor Apply(Tensor v)
    {
        LinearOperatorChecks.RequireVector(this, v);
        Products++;
        using var _ = no_grad();
        return matrix.mv(v);
    }

    public void Dispose() => matrix.Dispose();
}
