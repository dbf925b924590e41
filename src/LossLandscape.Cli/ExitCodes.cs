namespace LossLandscape.Cli;

public static class ExitCodes
{
    public const int Success = 0;
    public const int Bug = 1;
    public const int BadInput = 2;
    public const int Diverged = 3;
}
