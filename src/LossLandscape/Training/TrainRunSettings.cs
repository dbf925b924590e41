using LossLandscape.Data;
using LossLandscape.Models;

namespace LossLandscape.Training;

/// <summary>Everything `landscape train` needs to start, or resume, a run; stored as the settings of run.json.</summary>
public sealed record TrainRunSettings(ModelSpec Model, DataSettings Data, TrainSettings Training);
