using LossLandscape.Data;
using LossLandscape.Ensembles;
using LossLandscape.Models;
using LossLandscape.Training;
using LossLandscape.Training.Samplers;
using static TorchSharp.torch;

namespace LossLandscape.Experiments.Langevin;

/// <summary>
/// The generalisation gap of sampling against optimisation on Fashion-MNIST: an MLP on a training subset, trained by
/// constant-LR SGD (no momentum) with weight decay 1 / (N s^2), so that it minimises the same U as the posterior that
/// SGLD samples (Gaussian prior N(0, s^2 I)). SGLD starts from the same initial weights, runs as many minibatch steps,
/// with eps_0 = 2 eta / N (its first drift equals SGD's first step) decaying as a (b + t)^-gamma with b = steps / 10 and
/// gamma = 0.55, and averages the predictions of every k-th state after burn-in.
/// </summary>
/// <param name="BurnInFraction">Share of the steps before the first kept sample.</param>
public sealed record PosteriorGapSettings(
    int TrainSize = 2000,
    int TestSize = 2000,
    int Width = 128,
    int Depth = 1,
    int Epochs = 60,
    int BatchSize = 128,
    double LearningRate = 0.05,
    double PriorVariance = 1,
    double Temperature = 1,
    double BurnInFraction = 0.5,
    int SampleEvery = 10)
{
    public void Validate()
    {
        if (TrainSize < 10 || TestSize < 10 || Epochs < 1 || BatchSize < 1) throw new LandscapeException("the Fashion-MNIST part needs >= 10 train and test samples, >= 1 epoch and batch");
        if (BurnInFraction is < 0 or >= 1) throw new LandscapeException($"the burn-in fraction must lie in [0, 1), got {BurnInFraction}");
    }
}

/// <summary>Accuracy and mean cross-entropy (nats) on the training and test sets; the gaps are train minus test accuracy and test minus train loss.</summary>
public sealed record GapMeasure(double TrainAccuracy, double TestAccuracy, double TrainLoss, double TestLoss)
{
    public double AccuracyGap => TrainAccuracy - TestAccuracy;
    public double LossGap => TestLoss - TrainLoss;
}

/// <param name="SgldAverage">The average of the SGLD samples' predicted probabilities (the Bayesian model average).</param>
/// <param name="SgldLastSample">The last SGLD state alone, to tell averaging from sampling.</param>
public sealed record PosteriorGapSeed(int Seed, GapMeasure Sgd, GapMeasure SgldAverage, GapMeasure SgldLastSample, int Samples, int Steps, double Seconds);

public static class PosteriorGap
{
    public static PosteriorGapSeed Run(PosteriorGapSettings s, int seed, string? dataDir, Device device, Action<string>? log = null)
    {
        s.Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var data = new DataSettings(DataDir: dataDir, TrainSize: s.TrainSize, TestSize: s.TestSize).Load(seed, device);
        var spec = new ModelSpec("mlp", s.Width, s.Depth, InputChannels: (int)data.Train.SampleShape[0], ImageSize: (int)data.Train.SampleShape[^1], Classes: data.Train.Classes);
        long n = data.Train.Count;
        int steps = s.Epochs * (int)((n + s.BatchSize - 1) / s.BatchSize);
        var sampling = new PosteriorSamplingSettings(steps, s.BatchSize, s.PriorVariance, (int)(s.BurnInFraction * steps), s.SampleEvery, seed);

        GapMeasure sgd;
        using (var model = ModelRegistry.Create(spec, seed))
        {
            model.to(device);
            var training = new TrainSettings(s.Epochs, s.BatchSize,
                new OptimizerSettings(OptimizerKind.Sgd, s.LearningRate, Momentum: 0, WeightDecay: sampling.EquivalentWeightDecay(n)), Seed: seed, CheckpointEvery: 0);
            using (var trainer = new Trainer(model, data, training)) trainer.Train();
            sgd = Measure(Evaluation.Evaluate(model, data.Train), Evaluation.Evaluate(model, data.Test));
        }

        GapMeasure average, last;
        int samples;
        using (var model = ModelRegistry.Create(spec, seed))
        {
            model.to(device);
            var schedule = PolynomialDecay.FromInitial(2 * s.LearningRate / n, Math.Max(1, steps / 10.0), 0.55);
            var posterior = PosteriorSampling.Run(model, data, sampling, p => new Sgld(p, schedule, s.Temperature, seed), log);
            average = Measure(Prediction(posterior.Train, data.Train), Prediction(posterior.Test, data.Test));
            last = Measure(Evaluation.Evaluate(model, data.Train), Evaluation.Evaluate(model, data.Test));
            samples = posterior.Samples;
        }
        var result = new PosteriorGapSeed(seed, sgd, average, last, samples, steps, clock.Elapsed.TotalSeconds);
        log?.Invoke($"seed {seed}: accuracy gap SGD {sgd.AccuracyGap:P2} (test {sgd.TestAccuracy:P2}), SGLD average {average.AccuracyGap:P2} " +
                    $"(test {average.TestAccuracy:P2}), last SGLD sample {last.AccuracyGap:P2}; loss gap SGD {sgd.LossGap:F3}, SGLD average {average.LossGap:F3}");
        return result;
    }

    static GapMeasure Measure(LossAccuracy train, LossAccuracy test) => new(train.Accuracy, test.Accuracy, train.Loss, test.Loss);

    static LossAccuracy Prediction(double[,] probabilities, Dataset data)
    {
        using var cpu = data.Labels.cpu();
        var labels = cpu.data<long>().Select(l => (int)l).ToArray();
        var prediction = EnsemblePrediction.FromProbabilities(probabilities, labels);
        return new LossAccuracy(prediction.Nll(), prediction.Accuracy());
    }
}
