namespace LossLandscape.Reporting.Documents;

/// <summary>A named value shown in a compact list: a fact about the run, or one setting of a section.</summary>
public sealed record ReportFact(string Name, string Value);
