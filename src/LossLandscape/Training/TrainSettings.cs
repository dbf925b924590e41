namespace LossLandscape.Training;

/// <summary>How a model is trained. Recorded in run.json, so a run can be resumed and reproduced.</summary>
/// <param name="CheckpointEvery">Trajectory checkpoint every this many epochs (0: none; the final one is always kept).</param>
/// <param name="CheckpointEverySteps">Also a trajectory checkpoint every this many steps (0: none).</param>
/// <param name="Sphere">Training on the sphere: the scale-invariant weights are held at a fixed norm (null: off).</param>
public sealed record TrainSettings(
    int Epochs = 10,
    int BatchSize = 128,
    OptimizerSettings? Optimizer = null,
    LrSchedule? Schedule = null,
    int Seed = 0,
    int CheckpointEvery = 1,
    int CheckpointEverySteps = 0,
    int EvalBatchSize = 1000,
    SphereSettings? Sphere = null)
{
    public OptimizerSettings OptimizerOrDefault => Optimizer ?? new OptimizerSettings();
    public LrSchedule ScheduleOrDefault => Schedule ?? new LrSchedule();

    public void Validate()
    {
        if (Epochs < 0) throw new LandscapeException($"epochs must be non-negative, got {Epochs}");
        if (BatchSize < 1) throw new LandscapeException($"batch size must be at least 1, got {BatchSize}");
        if (EvalBatchSize < 1) throw new LandscapeException($"evaluation batch size must be at least 1, got {EvalBatchSize}");
        if (CheckpointEvery < 0 || CheckpointEverySteps < 0) throw new LandscapeException("checkpoint intervals must be non-negative");
        OptimizerOrDefault.Validate();
        ScheduleOrDefault.Validate(Epochs);
        Sphere?.Validate(OptimizerOrDefault);
    }
}
