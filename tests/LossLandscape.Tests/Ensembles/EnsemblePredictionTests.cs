using LossLandscape.Ensembles;

namespace LossLandscape.Tests.Ensembles;

public class EnsemblePredictionTests
{
    // Four samples, three classes; the hand computations below use these numbers.
    static readonly double[,] P =
    {
        { 0.90, 0.05, 0.05 }, // y = 0: confidence 0.90, correct
        { 0.20, 0.70, 0.10 }, // y = 0: confidence 0.70, wrong (predicts 1)
        { 0.50, 0.30, 0.20 }, // y = 1: confidence 0.50, wrong (predicts 0)
        { 0.10, 0.18, 0.72 }, // y = 2: confidence 0.72, correct
    };
    static readonly int[] Y = { 0, 0, 1, 2 };

    [Fact]
    public void AccuracyAndNllMatchTheirDefinitions()
    {
        var prediction = EnsemblePrediction.FromProbabilities(P, Y);
        Assert.Equal(0.5, prediction.Accuracy());
        Assert.Equal(-(Math.Log(0.9) + Math.Log(0.2) + Math.Log(0.3) + Math.Log(0.72)) / 4, prediction.Nll(), 14);
    }

    [Fact]
    public void EceMatchesAHandComputation()
    {
        // 15 bins of width 1/15 = 0.0667, closed on the right:
        //   0.90 -> (0.8667, 0.9333] bin 13: 1 sample, accuracy 1, confidence 0.90 -> |1 - 0.90| = 0.10
        //   0.70, 0.72 -> (0.6667, 0.7333] bin 10: 2 samples, accuracy 1/2, confidence 0.71 -> |0.5 - 0.71| = 0.21
        //   0.50 -> (0.4667, 0.5333] bin 7: 1 sample, accuracy 0, confidence 0.50 -> 0.50
        // ECE = 1/4 * 0.10 + 2/4 * 0.21 + 1/4 * 0.50 = 0.025 + 0.105 + 0.125 = 0.255
        Assert.Equal(0.255, EnsemblePrediction.FromProbabilities(P, Y).ExpectedCalibrationError(), 12);
        // One bin: |accuracy - mean confidence| = |0.5 - (0.9 + 0.7 + 0.5 + 0.72) / 4| = |0.5 - 0.705| = 0.205
        Assert.Equal(0.205, EnsemblePrediction.FromProbabilities(P, Y).ExpectedCalibrationError(bins: 1), 12);
    }

    [Fact]
    public void BrierMatchesAHandComputation()
    {
        // sum over classes of (p - onehot)^2, per sample:
        //   (0.9 - 1)^2 + 0.05^2 + 0.05^2 = 0.01 + 0.0025 + 0.0025 = 0.015
        //   (0.2 - 1)^2 + 0.7^2 + 0.1^2   = 0.64 + 0.49 + 0.01     = 1.14
        //   0.5^2 + (0.3 - 1)^2 + 0.2^2   = 0.25 + 0.49 + 0.04     = 0.78
        //   0.1^2 + 0.18^2 + (0.72 - 1)^2 = 0.01 + 0.0324 + 0.0784 = 0.1208
        // mean = (0.015 + 1.14 + 0.78 + 0.1208) / 4 = 2.0558 / 4 = 0.51395
        Assert.Equal(0.51395, EnsemblePrediction.FromProbabilities(P, Y).Brier(), 12);
    }

    [Fact]
    public void EnsembleIsTheMeanOfMemberSoftmaxesAndItsNllTheDirectOne()
    {
        var z = SyntheticPool.Logits(members: 3, samples: 50, classes: 5, seed: 1);
        var labels = Enumerable.Range(0, 50).Select(i => i % 5).ToArray();
        var pool = new MemberLogits(z, labels);
        var direct = SyntheticPool.DirectEnsemble(z, [0, 2]);
        var ensemble = pool.Select([0, 2]).Ensemble();
        var p = ensemble.Probabilities();
        double nll = 0;
        for (int i = 0; i < 50; i++)
        {
            for (int k = 0; k < 5; k++) Assert.Equal(direct[i, k], p[i, k], 13);
            nll -= Math.Log(direct[i, labels[i]]) / 50;
        }
        Assert.Equal(nll, ensemble.Nll(), 12);
        Assert.Equal(EnsemblePrediction.FromProbabilities(direct, labels).Brier(), ensemble.Brier(), 12);
    }

    [Fact]
    public void EnsembleOfIdenticalMembersIsThatMember()
    {
        var one = SyntheticPool.Logits(members: 1, samples: 40, classes: 4, seed: 2);
        var copies = new double[3, 40, 4];
        for (int m = 0; m < 3; m++)
            for (int i = 0; i < 40; i++)
                for (int k = 0; k < 4; k++) copies[m, i, k] = one[0, i, k];
        var labels = Enumerable.Range(0, 40).Select(i => (i * 7) % 4).ToArray();
        var member = new MemberLogits(one, labels).Ensemble();
        var ensemble = new MemberLogits(copies, labels).Ensemble();
        for (int i = 0; i < 40; i++)
            for (int k = 0; k < 4; k++) Assert.Equal(member.LogProbability(i, k), ensemble.LogProbability(i, k), 13);
        Assert.Equal(member.Accuracy(), ensemble.Accuracy());
        Assert.Equal(member.Nll(), ensemble.Nll(), 13);
        Assert.Equal(member.ExpectedCalibrationError(), ensemble.ExpectedCalibrationError(), 13);
        Assert.Equal(member.Brier(), ensemble.Brier(), 13);
    }

    [Fact]
    public void NllStaysExactWhereProbabilitiesUnderflow()
    {
        // Member 0 gives the true class probability e^-2000, member 1 gives e^-1000: the mean underflows a double,
        // its log is log((e^-2000 + e^-1000) / 2) = -1000 - log 2 (to double precision).
        var z = new double[2, 1, 2] { { { 0, -2000 } }, { { 0, -1000 } } };
        var ensemble = new MemberLogits(z, [1]).Ensemble();
        Assert.Equal(1000 + Math.Log(2), ensemble.Nll(), 9);
        Assert.Equal(0.0, ensemble.Accuracy());
    }

    [Fact]
    public void TensorsAndArraysGiveTheSameLogits()
    {
        var z = SyntheticPool.Logits(members: 2, samples: 6, classes: 3, seed: 3);
        var labels = new[] { 0, 1, 2, 2, 1, 0 };
        using var zt = torch.tensor(z.Cast<double>().ToArray(), [2, 6, 3]).to(torch.float32);
        using var yt = torch.tensor(labels.Select(v => (long)v).ToArray());
        var fromTensor = MemberLogits.FromTensor(zt, yt).Ensemble();
        var fromArray = new MemberLogits(z, labels).Ensemble();
        Assert.Equal(fromArray.Nll(), fromTensor.Nll(), 5); // float32 round trip
        Assert.Equal(labels, fromTensor.Labels);
    }

    [Fact]
    public void BadInputIsAUserError()
    {
        var z = new double[1, 2, 3];
        Assert.Throws<LandscapeException>(() => new MemberLogits(z, [0, 3]));
        Assert.Throws<LandscapeException>(() => new MemberLogits(z, [0]));
        Assert.Throws<LandscapeException>(() => new MemberLogits(z, [0, 1]).Select([1]));
        Assert.Throws<LandscapeException>(() => new MemberLogits(z, [0, 1]).Select([]));
    }
}
