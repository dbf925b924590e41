namespace LossLandscape.Experiments;

/// <summary>
/// Scale of an experiment: smoke (CI, under a minute, checks the pipeline end to end), quick (minutes on 2 CPU
/// cores, Fashion-MNIST subsets and small models), paper (the settings of the paper, for a GPU).
/// </summary>
public enum Preset { Smoke, Quick, Paper }
