namespace LossLandscape;

/// <summary>
/// An error the user can fix: a missing or corrupt file, a bad option, absent data. The CLI prints its
/// message as one line on stderr and exits with code 2. Anything else that escapes is a bug (exit code 1).
/// </summary>
public class LandscapeException : Exception
{
    public LandscapeException(string message) : base(message) { }
    public LandscapeException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A data file that is truncated, corrupt or not of the expected format.</summary>
public sealed class DataFormatException : LandscapeException
{
    public DataFormatException(string path, string problem) : base($"{path}: {problem}") { Path = path; }
    public string Path { get; }
}
