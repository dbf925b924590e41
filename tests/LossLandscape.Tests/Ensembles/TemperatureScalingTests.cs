using LossLandscape.Ensembles;

namespace LossLandscape.Tests.Ensembles;

public class TemperatureScalingTests
{
    [Theory]
    [InlineData(TemperatureSetup.AfterAveraging, 2.0)]
    [InlineData(TemperatureSetup.AfterAveraging, 0.6)]
    [InlineData(TemperatureSetup.BeforeAveraging, 2.0)]
    [InlineData(TemperatureSetup.BeforeAveraging, 0.6)]
    public void FitRecoversTheTemperatureTheLabelsWereDrawnWith(TemperatureSetup setup, double trueTemperature)
    {
        var z = SyntheticPool.Logits(members: 4, samples: 20000, classes: 10, seed: 11);
        var labels = SyntheticPool.Labels(z, setup, trueTemperature, seed: 12);
        var ensemble = new MemberLogits(z, labels);

        var fit = TemperatureScaling.Fit(ensemble, setup);

        Assert.InRange(fit.Temperature / trueTemperature, 0.97, 1.03);
        Assert.Equal(TemperatureScaling.Nll(ensemble, setup, fit.Temperature), fit.Nll, 12);
        // A maximum of the likelihood: nearby temperatures do worse, and so does the untempered ensemble.
        Assert.True(TemperatureScaling.Nll(ensemble, setup, fit.Temperature * 1.01) > fit.Nll);
        Assert.True(TemperatureScaling.Nll(ensemble, setup, fit.Temperature / 1.01) > fit.Nll);
        Assert.True(ensemble.Ensemble().Nll() > fit.Nll);
    }

    [Fact]
    public void TheTwoSetupsDifferForSeveralMembersAndAgreeForOne()
    {
        var z = SyntheticPool.Logits(members: 3, samples: 300, classes: 5, seed: 13);
        var labels = SyntheticPool.Labels(z, TemperatureSetup.AfterAveraging, 1.5, seed: 14);
        var ensemble = new MemberLogits(z, labels);
        Assert.NotEqual(TemperatureScaling.Nll(ensemble, TemperatureSetup.AfterAveraging, 1.5),
                        TemperatureScaling.Nll(ensemble, TemperatureSetup.BeforeAveraging, 1.5), 6);
        var single = ensemble.Select([1]);
        var a = TemperatureScaling.Fit(single, TemperatureSetup.AfterAveraging);
        var b = TemperatureScaling.Fit(single, TemperatureSetup.BeforeAveraging);
        Assert.Equal(a.Temperature, b.Temperature, 8);
        Assert.Equal(a.Nll, b.Nll, 12);
    }

    [Fact]
    public void TemperatureOneIsTheUntemperedEnsemble()
    {
        var z = SyntheticPool.Logits(members: 3, samples: 200, classes: 6, seed: 15);
        var labels = Enumerable.Range(0, 200).Select(i => i % 6).ToArray();
        var ensemble = new MemberLogits(z, labels);
        double nll = ensemble.Ensemble().Nll();
        Assert.Equal(nll, TemperatureScaling.Nll(ensemble, TemperatureSetup.AfterAveraging, 1.0), 12);
        Assert.Equal(nll, TemperatureScaling.Nll(ensemble, TemperatureSetup.BeforeAveraging, 1.0), 12);
        Assert.Equal(nll, TemperatureScaling.Apply(ensemble, TemperatureSetup.BeforeAveraging, 1.0).Nll(), 12);
    }

    [Fact]
    public void TemperedNllMatchesTheDirectFormula()
    {
        var z = SyntheticPool.Logits(members: 2, samples: 30, classes: 4, seed: 16);
        var labels = Enumerable.Range(0, 30).Select(i => (i * 3) % 4).ToArray();
        var ensemble = new MemberLogits(z, labels);
        const double tau = 1.7;
        // (b): softmax of every member's z / tau, then the mean; (a): softmax(log pbar / tau).
        var scaled = new double[2, 30, 4];
        for (int m = 0; m < 2; m++) for (int i = 0; i < 30; i++) for (int k = 0; k < 4; k++) scaled[m, i, k] = z[m, i, k] / tau;
        var before = SyntheticPool.DirectEnsemble(scaled, [0, 1]);
        var mean = SyntheticPool.DirectEnsemble(z, [0, 1]);
        double nllBefore = 0, nllAfter = 0;
        for (int i = 0; i < 30; i++)
        {
            nllBefore -= Math.Log(before[i, labels[i]]) / 30;
            double normaliser = Enumerable.Range(0, 4).Sum(k => Math.Pow(mean[i, k], 1 / tau));
            nllAfter -= Math.Log(Math.Pow(mean[i, labels[i]], 1 / tau) / normaliser) / 30;
        }
        Assert.Equal(nllBefore, TemperatureScaling.Nll(ensemble, TemperatureSetup.BeforeAveraging, tau), 12);
        Assert.Equal(nllAfter, TemperatureScaling.Nll(ensemble, TemperatureSetup.AfterAveraging, tau), 12);
    }

    [Fact]
    public void AnOptimumBeyondTheBoundIsTheBound()
    {
        // Every prediction right: the likelihood grows as tau falls, so the fit stops at the lower bound exp(-5).
        var z = new double[1, 3, 2] { { { 2, 0 }, { 0, 3 }, { 1, 0 } } };
        var fit = TemperatureScaling.Fit(new MemberLogits(z, [0, 1, 0]), TemperatureSetup.BeforeAveraging);
        Assert.Equal(Math.Exp(-5), fit.Temperature, 12);
        // Every prediction wrong: the likelihood grows with tau, up to the upper bound.
        var wrong = TemperatureScaling.Fit(new MemberLogits(z, [1, 0, 1]), TemperatureSetup.BeforeAveraging, maxLogTemperature: 2);
        Assert.Equal(Math.Exp(2), wrong.Temperature, 10);
    }

    [Fact]
    public void FittingOnSomeSamplesUsesOnlyThose()
    {
        var z = SyntheticPool.Logits(members: 2, samples: 400, classes: 5, seed: 17);
        var labels = SyntheticPool.Labels(z, TemperatureSetup.AfterAveraging, 1.3, seed: 18);
        var ensemble = new MemberLogits(z, labels);
        var half = Enumerable.Range(0, 200).ToArray();
        var onHalf = TemperatureScaling.Fit(ensemble, TemperatureSetup.AfterAveraging, half);
        var alone = TemperatureScaling.Fit(new MemberLogits(Slice(z, 200), labels[..200]), TemperatureSetup.AfterAveraging);
        Assert.Equal(alone.Temperature, onHalf.Temperature, 12);
        Assert.Equal(alone.Nll, onHalf.Nll, 12);
    }

    static double[,,] Slice(double[,,] z, int samples)
    {
        var s = new double[z.GetLength(0), samples, z.GetLength(2)];
        for (int m = 0; m < z.GetLength(0); m++) for (int i = 0; i < samples; i++) for (int k = 0; k < z.GetLength(2); k++) s[m, i, k] = z[m, i, k];
        return s;
    }
}
