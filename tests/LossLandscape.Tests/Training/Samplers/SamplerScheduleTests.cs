using LossLandscape.Training.Samplers;

namespace LossLandscape.Tests.Training.Samplers;

public class SamplerScheduleTests
{
    [Fact]
    public void CyclicalStepMatchesHandComputedValues()
    {
        // K = 10 steps in M = 3 cycles: L = ceil(10/3) = 4. Paper step k (1-based) is our step k - 1.
        var s = new CyclicalSchedule(0.2, 10, 3).Validated();
        Assert.Equal(4, s.CycleLength);
        double[] expected =
        [
            0.2,                                  // k = 1: cos(0) + 1 = 2
            0.1 * (Math.Sqrt(0.5) + 1),           // k = 2: cos(pi/4)
            0.1,                                  // k = 3: cos(pi/2)
            0.1 * (1 - Math.Sqrt(0.5)),           // k = 4: cos(3 pi/4)
            0.2,                                  // k = 5: a new cycle
            0.1 * (Math.Sqrt(0.5) + 1),
            0.1,
            0.1 * (1 - Math.Sqrt(0.5)),
            0.2,                                  // k = 9: the third, shorter cycle
            0.1 * (Math.Sqrt(0.5) + 1),           // k = 10: mod(9, 4) = 1
        ];
        for (int k = 0; k < 10; k++) Assert.Equal(expected[k], s.StepSize(k), 12);
        Assert.Equal(0.170710678118654752, s.StepSize(1), 12);
        Assert.Equal(2, s.Cycle(9));
    }

    [Fact]
    public void ExplorationIsTheFirstPartOfEachCycle()
    {
        var s = new CyclicalSchedule(1, 8, 2, ExplorationFraction: 0.5).Validated();
        bool[] sampling = Enumerable.Range(0, 8).Select(k => s.IsSampling(k)).ToArray();
        Assert.Equal(new[] { false, false, true, true, false, false, true, true }, sampling);
        Assert.All(Enumerable.Range(0, 8), k => Assert.True(new CyclicalSchedule(1, 8, 2).IsSampling(k)));
    }

    [Fact]
    public void PolynomialDecayFollowsWellingAndTeh()
    {
        var s = PolynomialDecay.FromInitial(0.05, b: 10, gamma: 0.55);
        Assert.Equal(0.05, s.StepSize(0), 14);
        Assert.Equal(0.05 * Math.Pow(0.1, 0.55), s.StepSize(90), 14);
        Assert.Equal(0.1 * Math.Pow(3, -0.55), new PolynomialDecay(0.1, 2, 0.55).StepSize(1), 14);
        Assert.True(s.IsSampling(123));
    }

    [Fact]
    public void BadSchedulesAreUserErrors()
    {
        Assert.Throws<LandscapeException>(() => new CyclicalSchedule(0.1, 10, 11).Validated());
        Assert.Throws<LandscapeException>(() => new CyclicalSchedule(0.1, 10, 2, 1.0).Validated());
        Assert.Throws<LandscapeException>(() => PolynomialDecay.FromInitial(0.1, 1, 1.5));
        Assert.Throws<LandscapeException>(() => PolynomialDecay.FromInitial(-0.1));
    }
}
