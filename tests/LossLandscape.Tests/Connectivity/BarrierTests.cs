using LossLandscape.Connectivity;

namespace LossLandscape.Tests.Connectivity;

public class BarrierTests
{
    [Fact]
    public void BarrierIsTheLargestExcessOverTheChord()
    {
        var t = new[] { 0.0, 0.25, 0.5, 0.75, 1.0 };
        var loss = new[] { 1.0, 2.0, 4.0, 3.5, 3.0 }; // chord: 1, 1.5, 2, 2.5, 3
        var b = LossBarrier.Of(t, loss);
        Assert.Equal(2.0, b.Height, 12);
        Assert.Equal(0.5, b.AtT);
        Assert.Equal(0.0, LossBarrier.Of(new[] { 0.0, 1.0 }, new[] { 5.0, 1.0 }).Height, 12);
        Assert.Equal(0.0, LossBarrier.Of(new[] { 0.0, 0.5, 1.0 }, new[] { 1.0, 0.5, 1.0 }).Height, 12); // endpoints count: never negative
    }
}
