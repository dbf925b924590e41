namespace LossLandscape.Reporting.Documents;

/// <summary>
/// A figure's PNG as found on disk when the report is written. A figure that is not there, or cannot be
/// read, has no bytes and a <see cref="Problem"/> that the report shows in its place instead of failing.
/// </summary>
sealed record FigureFile(string FullPath, byte[]? Bytes, string? Problem)
{
    /// <summary>Reads <paramref name="pngPath"/> (absolute, or relative to <paramref name="baseFolder"/>).</summary>
    public static FigureFile Load(string baseFolder, string pngPath)
    {
        var full = Resolve(baseFolder, pngPath);
        if (!File.Exists(full)) return new FigureFile(full, null, $"figure missing: {pngPath}");
        try
        {
            return new FigureFile(full, File.ReadAllBytes(full), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FigureFile(full, null, $"figure unreadable: {pngPath} ({e.Message})");
        }
    }

    /// <summary>Where a figure is on disk, with relative paths taken from the report's folder.</summary>
    public static string Resolve(string baseFolder, string pngPath) =>
        Path.GetFullPath(Path.Combine(Path.GetFullPath(baseFolder), pngPath));
}
