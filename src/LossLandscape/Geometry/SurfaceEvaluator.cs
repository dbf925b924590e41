using LossLandscape.Data;
using LossLandscape.Training;

namespace LossLandscape.Geometry;

/// <summary>A point of a loss surface: coordinates along the two directions and what was measured there.</summary>
public readonly record struct SurfacePoint(double Alpha, double Beta, double Loss, double Accuracy);

/// <summary>What BatchNorm uses at a perturbed point.</summary>
public enum BatchNormMode
{
    /// <summary>The statistics stored with the model (fast; off the model's own point they are stale).</summary>
    Eval,
    /// <summary>Re-estimated on training data at every point (the default for BN models).</summary>
    Recompute,
}

/// <summary>
/// Evaluates loss and accuracy at center + alpha d1 + beta d2 for many (alpha, beta). Implementations differ
/// in how they walk the weights and the data; they agree to float precision.
/// </summary>
public interface ISurfaceEvaluator : IDisposable
{
    /// <summary>A short name for logs and benchmarks.</summary>
    string Name { get; }

    /// <summary>How many points one call should get for the evaluator to work efficiently.</summary>
    int PreferredChunk { get; }

    IReadOnlyList<LossAccuracy> Evaluate(IReadOnlyList<(double Alpha, double Beta)> points);
}

/// <summary>The plane (or line, when <see cref="Second"/> is null) a surface lives on, and the data it is measured on.</summary>
public sealed record SurfaceFrame(TorchSharp.torch.Tensor Center, TorchSharp.torch.Tensor First, TorchSharp.torch.Tensor? Second, Dataset Data);
