namespace LossLandscape.Reporting.Documents;

/// <summary>How far a section of the report got.</summary>
public enum SectionStatus
{
    Completed,
    /// <summary>The experiment stopped with an error; <see cref="ReportSection.Failure"/> says which.</summary>
    Failed,
    /// <summary>The experiment was not run (not selected, or skipped for this preset).</summary>
    NotRun,
}
