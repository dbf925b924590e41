using LossLandscape.Experiments;

namespace LossLandscape.Tests.Experiments;

public class DoubleDescentTests
{
    static DescentPoint P(double x, int seed, double testError) => new(x, seed, 0, testError, 0, 0, 1);

    [Fact]
    public void APeakIsTheHighestInteriorMeanAndItsEffectsAreTheExcessOverTheHigherNeighbour()
    {
        var points = new[]
        {
            P(1, 0, 0.30), P(2, 0, 0.40), P(4, 0, 0.50), P(8, 0, 0.20),
            P(1, 1, 0.32), P(2, 1, 0.38), P(4, 1, 0.36), P(8, 1, 0.22),
        };
        var peak = DoubleDescent.Peak("test error", points, p => p.TestError)!;
        Assert.Equal(4, peak.X);                      // means 0.31, 0.39, 0.43, 0.21
        Assert.Equal(0.43, peak.Mean, 12);
        Assert.Equal(0.10, peak.Effects[0], 12);      // 0.50 - max(0.40, 0.20)
        Assert.Equal(-0.02, peak.Effects[1], 12);     // 0.36 - max(0.38, 0.22)
        Assert.Equal(VerdictKind.Partly, Verdict.Of("peak", peak.Effects).Kind);
    }

    [Fact]
    public void ASecondRiseAfterADescentIsFoundEvenBelowTheStart()
    {
        // Epoch-wise shape: high at the start, a dip, a bump (0.30 at x=3), a second descent; the bump is the peak.
        double[] curve = { 0.70, 0.25, 0.30, 0.20, 0.18 };
        var points = curve.Select((e, i) => P(i + 1, 0, e)).Concat(curve.Select((e, i) => P(i + 1, 1, e + 0.01))).ToList();
        var peak = DoubleDescent.Peak("test error", points, p => p.TestError)!;
        Assert.Equal(3, peak.X);
        Assert.Equal(0.05, peak.Effects[0], 12);
    }

    [Fact]
    public void AMonotoneCurveHasNoPeak()
    {
        var points = new[] { P(1, 0, 0.5), P(2, 0, 0.4), P(3, 0, 0.3), P(4, 0, 0.2) };
        Assert.Null(DoubleDescent.Peak("test error", points, p => p.TestError));
    }

    [Fact]
    public void TheSweepFixesTheNoiseAndVariesTheAxis()
    {
        var spec = DoubleDescent.Spec(DoubleDescentSettings.For(Preset.Quick, DescentAxis.Width));
        var tasks = spec.Expand();
        Assert.Equal(9 * 3, tasks.Count);   // 9 widths x 3 seeds
        Assert.All(tasks, t => Assert.Contains("--data-seed 0", string.Join(' ', t.Arguments)));
        Assert.All(tasks, t => Assert.Contains("--label-noise 0.2", string.Join(' ', t.Arguments)));
        Assert.Equal("width-1_seed-0", tasks[0].Folder);
        var epochs = DoubleDescent.Spec(DoubleDescentSettings.For(Preset.Quick, DescentAxis.Epochs)).Expand();
        Assert.Equal(3, epochs.Count);
        Assert.Contains("--checkpoint-every 2", string.Join(' ', epochs[0].Arguments));
    }

    [Fact]
    public void AMonotoneCurveHasNoPeakAndItsHighestInteriorPointGivesNegativeEffects()
    {
        var points = new[]
        {
            P(1, 0, 0.50), P(2, 0, 0.40), P(4, 0, 0.30), P(8, 0, 0.20),
            P(1, 1, 0.52), P(2, 1, 0.41), P(4, 1, 0.33), P(8, 1, 0.22),
        };
        Assert.Null(DoubleDescent.Peak("test error", points, p => p.TestError));
        var top = DoubleDescent.HighestInterior("test error", points, p => p.TestError)!;
        Assert.Equal(2, top.X);
        Assert.Equal(-0.10, top.Effects[0], 12);
        Assert.Equal(-0.11, top.Effects[1], 12);
        Assert.Equal(VerdictKind.NotReproduced, Verdict.Of("peak", top.Effects).Kind);
    }
}
