namespace LossLandscape.Reporting.Documents;

/// <summary>The verdict words of <see cref="ReportClaim.Verdict"/>, and the badge each one gets.</summary>
public static class ClaimVerdict
{
    public const string Reproduced = "reproduced";
    public const string Partly = "partly";
    public const string NotReproduced = "not reproduced";

    /// <summary>
    /// The CSS class suffix of a verdict's badge. Matching ignores case and surrounding spaces; a word the
    /// report does not know gets a neutral badge (it is still shown as written).
    /// </summary>
    internal static string BadgeKind(string verdict) => verdict.Trim().ToLowerInvariant() switch
    {
        Reproduced => "reproduced",
        Partly => "partly",
        NotReproduced => "not-reproduced",
        _ => "other",
    };
}
