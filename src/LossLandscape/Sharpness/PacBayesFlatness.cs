using LossLandscape.Geometry;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Sharpness;

/// <param name="TargetDrop">Accuracy drop that defines sigma* (0.1 in Jiang et al. 2020).</param>
/// <param name="MagnitudeAware">Noise variance sigma^2 w_i^2 + Floor instead of sigma^2.</param>
public sealed record PacBayesSettings(double TargetDrop = 0.1, double MaxSigma = 2.0, int Depth = 15, int Samples = 10,
    bool MagnitudeAware = false, double Floor = 1e-6, int Seed = 0);

/// <summary>
/// PAC-Bayes flatness (Jiang et al. 2020, "Fantastic generalization measures"): the largest sigma such that
/// Gaussian weight noise of scale sigma lowers the accuracy on the data by at most the target drop, found by
/// bisection on [0, MaxSigma]. Larger sigma* means a flatter minimum. The magnitude-aware variant scales
/// the noise with |w|, which makes it comparable across BatchNorm networks of different weight norm.
/// </summary>
public static class PacBayesFlatness
{
    public static SharpnessResult Measure(WeightSpaceLoss loss, Tensor w, PacBayesSettings settings)
    {
        var base_ = loss.Evaluate(w);
        double low = 0, high = settings.MaxSigma;
        using var generator = new Generator((ulong)settings.Seed);
        for (int d = 0; d < settings.Depth; d++)
        {
            double sigma = (low + high) / 2;
            double drop = 0;
            for (int s = 0; s < settings.Samples; s++)
            {
                using var scope = NewDisposeScope();
                var noise = randn(w.shape, dtype: w.dtype, generator: generator).to(w.device);
                noise = settings.MagnitudeAware ? noise.mul(w.pow(2).mul(sigma * sigma).add(settings.Floor).sqrt()) : noise.mul(sigma);
                drop += base_.Accuracy - loss.Evaluate(w.add(noise)).Accuracy;
            }
            drop /= settings.Samples;
            if (drop > settings.TargetDrop) high = sigma;
            else low = sigma;
        }
        double sigmaStar = (low + high) / 2;
        return new SharpnessResult(settings.MagnitudeAware ? "pac-bayes-sigma-magnitude" : "pac-bayes-sigma", sigmaStar, base_.Loss, double.NaN,
            loss.Evaluations, $"accuracy drop {settings.TargetDrop}, depth {settings.Depth}, {settings.Samples} samples per sigma");
    }
}
