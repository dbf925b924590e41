using LossLandscape.Runs;
using static TorchSharp.torch;

namespace LossLandscape.Training;

/// <summary>One optimisation step that just finished. <see cref="Loss"/> is valid only during the callback.</summary>
public readonly record struct StepInfo(int Epoch, int StepInEpoch, int StepsPerEpoch, long GlobalStep, double LearningRate, Tensor Loss);

/// <summary>
/// Hooks into the training loop, for probes (Hessian, sharpness, weight norms) and for progress display.
/// A probe adds columns to the epoch's metrics row through <see cref="EpochEnd.Extra"/>.
/// </summary>
public interface ITrainingCallback
{
    void OnStart(Trainer trainer) { }
    void OnStep(Trainer trainer, in StepInfo step) { }
    void OnEpoch(Trainer trainer, EpochEnd epoch) { }
    void OnEnd(Trainer trainer, TrainingResult result) { }
}

/// <summary>The end of an epoch: its metrics so far, and a place for callbacks to add columns.</summary>
public sealed class EpochEnd
{
    public EpochEnd(MetricsRow row) => Row = row;
    public MetricsRow Row { get; }
    public int Epoch => (int)Row.Epoch;
    public IDictionary<string, double> Extra => Row.Extra;

    /// <summary>Set by <see cref="Stop"/>: training ends after this epoch (status completed, with the reason).</summary>
    public string? StopReason { get; private set; }

    /// <summary>Ends training after this epoch, e.g. when a target accuracy is reached.</summary>
    public void Stop(string reason) => StopReason = reason;
}
