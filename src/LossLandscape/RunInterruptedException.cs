namespace LossLandscape;

/// <summary>
/// The user stopped a command (Ctrl+C, SIGTERM) while work was under way: the CLI exits with code 130 and one line.
/// Nothing catches it on the way out, so a long composition (reproduce) stops instead of going on with the next part.
/// </summary>
public sealed class RunInterruptedException(string message) : Exception(message);
