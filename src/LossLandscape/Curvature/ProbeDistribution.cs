using static TorchSharp.torch;

namespace LossLandscape.Curvature;

/// <summary>How random probe and starting vectors are drawn.</summary>
public enum ProbeDistribution
{
    /// <summary>Entries +1 or -1 with equal probability: the lowest-variance Hutchinson probe (PyHessian's choice).</summary>
    Rademacher,

    /// <summary>Independent standard normal entries.</summary>
    Gaussian,
}

/// <summary>Random vectors from an explicit generator, so a seed fixes every number downstream.</summary>
public static class Probes
{
    /// <summary>
    /// A vector of <paramref name="dimension"/> entries. Drawn on the CPU in float64 and then converted, so the same
    /// generator state gives the same vector on every device and in every dtype.
    /// </summary>
    public static Tensor Draw(ProbeDistribution distribution, long dimension, ScalarType dtype, Device device, Generator generator)
    {
        using var scope = NewDisposeScope();
        var cpu = distribution switch
        {
            ProbeDistribution.Rademacher => randint(0, 2, new[] { dimension }, dtype: ScalarType.Float64, generator: generator).mul_(2).sub_(1),
            ProbeDistribution.Gaussian => randn(new[] { dimension }, dtype: ScalarType.Float64, generator: generator),
            _ => throw new ArgumentOutOfRangeException(nameof(distribution)),
        };
        return cpu.to(dtype, device).MoveToOuterDisposeScope();
    }

    public static Generator Generator(int seed) => new((ulong)seed, CPU);
}
