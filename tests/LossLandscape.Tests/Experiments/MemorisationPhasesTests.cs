using LossLandscape.Experiments;
using LossLandscape.Runs;

namespace LossLandscape.Tests.Experiments;

public class MemorisationPhasesTests
{
    static MetricsRow Row(long epoch, double trainAccuracy, double testLoss, double norm, double? sharpness)
    {
        var row = new MetricsRow { Epoch = epoch, TrainAccuracy = trainAccuracy, TestLoss = testLoss, WeightNorm = 99 };
        row.Extra["si_norm"] = norm;
        if (sharpness is { } s) row.Extra["si_sharpness"] = s;
        return row;
    }

    // The talk's picture: test loss dips early (epoch 2), the noisy labels are fitted at epoch 4 with the norm up and a
    // sharp minimum, then the norm falls, the minimum widens and the test loss ends below its early minimum.
    static readonly MetricsRow[] TwoPhases =
    {
        Row(1, 0.60, 1.00, 10, 100), Row(2, 0.80, 0.90, 11, null), Row(3, 0.95, 1.50, 12, 1000),
        Row(4, 0.995, 1.60, 13, null), Row(5, 0.999, 1.20, 12, 500), Row(6, 1.00, 0.80, 9, 50),
    };

    [Fact]
    public void PhasesAreLocatedFromTheEarlyMinimumTheFitAndTheEnd()
    {
        var p = MemorisationPhases.Of(0, TwoPhases)!;
        Assert.Equal(2, p.EarlyMinimumEpoch);
        Assert.Equal(4, p.FitEpoch);
        Assert.True(p.Fitted);
        Assert.Equal(6, p.LastEpoch);
        Assert.Equal((11.0, 13.0, 9.0), (p.NormAtMinimum, p.NormAtFit, p.NormAtEnd));
        // sharpness at the nearest measured epoch: 2 -> 1 or 3 (tie: the first, epoch 1), 4 -> 3 (tie with 5: the first), 6 -> 6
        Assert.Equal((100.0, 1000.0, 50.0), (p.SharpnessAtMinimum, p.SharpnessAtFit, p.SharpnessAtEnd));
        Assert.Equal((0.90, 1.60, 0.80), (p.TestLossAtMinimum, p.TestLossAtFit, p.TestLossAtEnd));
    }

    [Fact]
    public void EveryClaimHoldsForTheTalksPictureAndFlipsWhenTheRunStaysSharpAndHeavy()
    {
        var good = MemorisationPhases.Of(0, TwoPhases)!;
        var verdicts = MemorisationPhases.Judge(new[] { good, good with { Seed = 1, NormAtEnd = 9.5 } });
        Assert.Equal(6, verdicts.Count);
        Assert.All(verdicts, v => Assert.True(v.Mean > 0, v.Describe()));
        Assert.Equal(Math.Log(13.0 / 11.0), verdicts[0].Effects[0], 12);
        Assert.Equal(1.0, verdicts[1].Effects[0], 12);            // log10(1000 / 100)
        Assert.Equal(0.10, verdicts[5].Effects[0], 12);           // 0.90 - 0.80

        // No consolidation: the norm keeps growing, the minimum sharpens, the test loss stays up.
        var stuck = good with { NormAtEnd = 15, SharpnessAtEnd = 5000, TestLossAtEnd = 1.7 };
        var flipped = MemorisationPhases.Judge(new[] { stuck, stuck with { Seed = 1 } });
        Assert.All(flipped.Skip(2), v => Assert.Equal(VerdictKind.NotReproduced, v.Kind));
        Assert.All(flipped.Take(2), v => Assert.NotEqual(VerdictKind.NotReproduced, v.Kind));
    }

    [Fact]
    public void ARunThatNeverFitsUsesItsLastEpochAndOneWithoutSharpnessCannotBeJudged()
    {
        var never = TwoPhases.Select(r => Row(r.Epoch, Math.Min(r.TrainAccuracy, 0.9), r.TestLoss, r.Extra["si_norm"],
            r.Extra.TryGetValue("si_sharpness", out var s) ? s : null)).ToList();
        var p = MemorisationPhases.Of(0, never)!;
        Assert.False(p.Fitted);
        Assert.Equal(6, p.FitEpoch);
        Assert.Equal(0, p.TestLossAtFit - p.TestLossAtEnd);
        Assert.Null(MemorisationPhases.Of(0, TwoPhases.Select(r => Row(r.Epoch, r.TrainAccuracy, r.TestLoss, 10, null)).ToList()));
    }
}
