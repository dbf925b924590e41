using LossLandscape.Training;

namespace LossLandscape.Tests.Training;

public class LrScheduleTests
{
    [Fact]
    public void StepAnnealsFromTheMilestone()
    {
        var s = new LrSchedule(ScheduleKind.Step, new[] { 3 }, 0.04);
        Assert.Equal(1.0, s.Multiplier(2, 9, 10, 6));
        Assert.Equal(0.04, s.Multiplier(3, 0, 10, 6), 12);
    }

    [Fact]
    public void LinearIsConstantThenLinearThenFloor()
    {
        var s = new LrSchedule(ScheduleKind.Linear);
        Assert.Equal(1.0, s.Multiplier(50, 0, 1, 100));
        Assert.Equal(1 - 0.99 * 0.5, s.Multiplier(70, 0, 1, 100), 12);
        Assert.Equal(0.01, s.Multiplier(95, 0, 1, 100), 12);
    }

    [Fact]
    public void CyclicRestartsEachCycle()
    {
        var s = new LrSchedule(ScheduleKind.Cyclic, Cycles: 2);
        Assert.Equal(1.0, s.Multiplier(0, 0, 10, 4), 12);
        Assert.Equal(1.0, s.Multiplier(2, 0, 10, 4), 12);
        Assert.Equal(0.5, s.Multiplier(1, 0, 10, 4), 12);
        Assert.True(s.Multiplier(1, 9, 10, 4) < 0.01);
    }

    [Fact]
    public void BadSettingsAreUserErrors()
    {
        Assert.Throws<LandscapeException>(() => new LrSchedule(ScheduleKind.Step).Validate(10));
        Assert.Throws<LandscapeException>(() => new LrSchedule(ScheduleKind.Step, new[] { 11 }).Validate(10));
        Assert.Throws<LandscapeException>(() => new TrainSettings(Epochs: -1).Validate());
        Assert.Throws<LandscapeException>(() => new OptimizerSettings(LearningRate: 0).Validate());
    }
}
