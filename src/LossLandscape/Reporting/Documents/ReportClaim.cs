namespace LossLandscape.Reporting.Documents;

/// <summary>
/// A statement of the talk checked against measurements: its <paramref name="Verdict"/> is one of
/// <see cref="ClaimVerdict.Reproduced"/>, <see cref="ClaimVerdict.Partly"/> or <see cref="ClaimVerdict.NotReproduced"/>,
/// and <paramref name="Evidence"/> gives the numbers it rests on, e.g. "effect 0.031 +- 0.004 over 3 seeds".
/// </summary>
public sealed record ReportClaim(string Text, string Verdict, string Evidence);
