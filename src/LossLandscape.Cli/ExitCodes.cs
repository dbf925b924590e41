namespace LossLandscape.Cli;

public static class ExitCodes
{
    public const int Success = 0;
    public const int Bug = 1;
    public const int BadInput = 2;
    public const int Diverged = 3;
    /// <summary>Some tasks of a sweep failed; the others are done and a rerun retries only the failed ones.</summary>
    public const int TasksFailed = 4;
    /// <summary>Interrupted by Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
