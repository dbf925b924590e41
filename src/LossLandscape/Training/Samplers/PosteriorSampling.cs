using LossLandscape.Data;
using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Training.Samplers;

/// <summary>How a network's posterior is sampled with minibatches and its samples averaged.</summary>
/// <param name="Steps">Sampler steps (minibatches), over as many shuffled passes of the training set as needed.</param>
/// <param name="PriorVariance">s^2 of the Gaussian prior N(0, s^2 I) on every parameter; the same as L2 weight decay
/// 1 / (N s^2) on the mean loss.</param>
/// <param name="BurnInSteps">Steps before the first sample is kept.</param>
/// <param name="SampleEvery">After burn-in, keep the parameters of every this many steps as a sample.</param>
/// <param name="Seed">Seed of the minibatch order (the sampler's noise has its own).</param>
public sealed record PosteriorSamplingSettings(int Steps, int BatchSize = 128, double PriorVariance = 1, int BurnInSteps = 0, int SampleEvery = 10, int Seed = 0)
{
    public void Validate()
    {
        if (Steps < 1 || BatchSize < 1 || SampleEvery < 1) throw new LandscapeException("steps, batch size and sample interval must be at least 1");
        if (BurnInSteps < 0 || BurnInSteps >= Steps) throw new LandscapeException($"burn-in must lie in [0, steps), got {BurnInSteps} of {Steps}");
        if (!(PriorVariance > 0)) throw new LandscapeException($"the prior variance must be positive, got {PriorVariance}");
    }

    /// <summary>The weight decay on the mean loss that has the same minimiser as U: 1 / (N s^2).</summary>
    public double EquivalentWeightDecay(long trainCount) => 1 / (trainCount * PriorVariance);
}

/// <summary>
/// The Bayesian model average of the samples: mean class probabilities over the kept samples on the training and test
/// sets ([samples, classes], rows in dataset order), and the mean minibatch cross-entropy over the sampling steps.
/// </summary>
public sealed record PosteriorAverage(double[,] Train, double[,] Test, int Samples, double MeanBatchLoss);

/// <summary>
/// Runs a <see cref="LangevinSampler"/> on a classifier's posterior: each step draws the next minibatch of a seeded
/// shuffle, estimates U = (N/n) sum_batch CE + ||theta||^2 / (2 s^2), back-propagates it and steps the sampler; after
/// burn-in, every k-th parameter state predicts the training and test sets (eval mode) and the softmax outputs are averaged.
/// </summary>
public static class PosteriorSampling
{
    const int DivergenceCheckInterval = 50;

    /// <param name="createSampler">builds the sampler over the model's parameters (so that it owns their order)</param>
    public static PosteriorAverage Run(LandscapeModel model, DataSplit data, PosteriorSamplingSettings settings,
        Func<IReadOnlyList<Tensor>, LangevinSampler> createSampler, Action<string>? log = null)
    {
        settings.Validate();
        var parameters = model.parameters().Select(p => (Tensor)p).ToList();
        using var sampler = createSampler(parameters);
        var device = parameters[0].device;
        long n = data.Train.Count;
        int steps = settings.Steps, batch = (int)Math.Min(settings.BatchSize, n);
        int batchesPerEpoch = (int)((n + batch - 1) / batch);
        using var shuffle = new Generator((ulong)settings.Seed ^ 0x5eed5eedUL);
        using var trainSum = zeros(n, data.Train.Classes, dtype: ScalarType.Float64);
        using var testSum = zeros(data.Test.Count, data.Test.Classes, dtype: ScalarType.Float64);
        using var lossSum = zeros(1, dtype: ScalarType.Float64, device: device);
        int samples = 0, sampledSteps = 0;
        double priorPrecision = 1 / settings.PriorVariance;
        Tensor? inputs = null, labels = null;
        model.train();
        try
        {
            for (int step = 0; step < steps; step++)
            {
                int inEpoch = step % batchesPerEpoch;
                if (inEpoch == 0)
                {
                    inputs?.Dispose();
                    labels?.Dispose();
                    using var order = randperm(n, generator: shuffle).to(device);
                    inputs = data.Train.Inputs.index_select(0, order).DetachFromDisposeScope();
                    labels = data.Train.Labels.index_select(0, order).DetachFromDisposeScope();
                }
                using var scope = NewDisposeScope();
                long start = (long)inEpoch * batch, length = Math.Min(batch, n - start);
                foreach (var p in parameters) p.grad?.zero_();
                var mean = nn.functional.cross_entropy(model.call(inputs!.narrow(0, start, length)), labels!.narrow(0, start, length));
                var prior = stack(parameters.Select(p => p.pow(2).sum()).ToList()).sum().mul(priorPrecision / 2);
                mean.mul(n).add(prior).backward();
                sampler.Step();
                if (step >= settings.BurnInSteps)
                {
                    using (no_grad()) lossSum.add_(mean.detach().to(ScalarType.Float64));
                    sampledSteps++;
                    if ((step - settings.BurnInSteps) % settings.SampleEvery == 0)
                    {
                        Accumulate(model, data.Train, trainSum);
                        Accumulate(model, data.Test, testSum);
                        samples++;
                    }
                }
                if ((step + 1) % DivergenceCheckInterval == 0 && !parameters.All(p => p.isfinite().all().item<bool>()))
                    throw new LandscapeException($"the sampler diverged by step {step + 1} (non-finite parameters); lower its step size");
            }
        }
        finally
        {
            inputs?.Dispose();
            labels?.Dispose();
        }
        log?.Invoke($"{samples} samples from steps {settings.BurnInSteps}..{steps - 1}, mean minibatch loss {lossSum.item<double>() / sampledSteps:G4}");
        return new PosteriorAverage(ToArray(trainSum.div(samples)), ToArray(testSum.div(samples)), samples, lossSum.item<double>() / sampledSteps);
    }

    static void Accumulate(LandscapeModel model, Dataset data, Tensor sum)
    {
        using var scope = NewDisposeScope();
        sum.add_(Evaluation.Logits(model, data).to(ScalarType.Float64).softmax(1));
    }

    static double[,] ToArray(Tensor probabilities)
    {
        using var _ = probabilities;
        int rows = (int)probabilities.shape[0], columns = (int)probabilities.shape[1];
        var flat = probabilities.contiguous().data<double>().ToArray();
        var result = new double[rows, columns];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }
}
