namespace LossLandscape.Data;

/// <summary>
/// The roots searched for datasets, in order: an explicit data directory, the LOSSLANDSCAPE_DATA variable,
/// the user cache root (holding one folder per dataset), then each entry's system folders. Kept as a value
/// so tests can search controlled folders instead of the process environment.
/// </summary>
public sealed record DataSearchPaths(string? DataDir, string? EnvironmentDir, string CacheRoot, bool IncludeSystemFolders = true)
{
    public const string DataVariable = "LOSSLANDSCAPE_DATA";

    public static DataSearchPaths FromEnvironment(string? dataDir = null) =>
        new(NullIfBlank(dataDir), NullIfBlank(Environment.GetEnvironmentVariable(DataVariable)), DefaultCacheRoot());

    /// <summary>$XDG_CACHE_HOME/losslandscape/data, else ~/.cache/losslandscape/data.</summary>
    public static string DefaultCacheRoot()
    {
        var xdg = NullIfBlank(Environment.GetEnvironmentVariable("XDG_CACHE_HOME"));
        var cache = xdg ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "losslandscape", "data");
    }

    /// <summary>Where a download of the entry goes by default.</summary>
    public string CacheFolder(CatalogEntry entry) => Path.Combine(CacheRoot, entry.Name);

    static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}

/// <summary>A folder holding all files of a dataset, and which search rule found it.</summary>
public sealed record DatasetLocation(string Folder, string FoundVia);

public static class DatasetLocator
{
    /// <summary>Every folder that may hold the entry, in lookup order, with the rule that names it.</summary>
    public static IReadOnlyList<(string Folder, string Via)> Candidates(CatalogEntry entry, DataSearchPaths paths)
    {
        var list = new List<(string, string)>();
        void AddRoot(string? root, string via)
        {
            if (root is null) return;
            // A root may hold the files directly or in a subfolder named after the dataset.
            list.Add((root, via));
            foreach (var sub in entry.Subfolders)
                list.Add((Path.Combine(root, sub), via));
        }
        AddRoot(paths.DataDir, "--data-dir");
        AddRoot(paths.EnvironmentDir, DataSearchPaths.DataVariable);
        list.Add((paths.CacheFolder(entry), "user cache"));
        if (paths.IncludeSystemFolders)
            foreach (var folder in entry.SystemFolders ?? [])
                list.Add((folder, entry.DebianPackage is null ? "system folder" : $"package {entry.DebianPackage}"));
        return list;
    }

    /// <summary>The first candidate folder holding every file of the entry, or null.</summary>
    /// <remarks>
    /// An explicit --data-dir is a promise: when it does not exist, or holds no copy of the dataset, that is an
    /// error rather than a silent fall-through to some other copy.
    /// </remarks>
    public static DatasetLocation? Locate(CatalogEntry entry, DataSearchPaths paths)
    {
        if (paths.DataDir is { } explicitDir)
        {
            if (!Directory.Exists(explicitDir))
                throw new LandscapeException($"--data-dir {explicitDir}: no such folder");
            var explicitOnly = paths with { EnvironmentDir = null, IncludeSystemFolders = false };
            foreach (var (folder, via) in Candidates(entry, explicitOnly).Where(c => c.Via == "--data-dir"))
                if (entry.Files.All(f => FindFile(entry, folder, f) is not null))
                    return new DatasetLocation(folder, via);
            var files = string.Join(", ", entry.Files.Select(f => entry.DiskNames(f).First()));
            var remedy = entry.Downloadable ? Remedies(entry) : entry.ObtainHint ?? "obtain the files";
            throw new LandscapeException($"--data-dir {explicitDir}: holds no {entry.Name} (expected {files}, directly or in {string.Join(" or ", entry.Subfolders)}/); {remedy}");
        }
        foreach (var (folder, via) in Candidates(entry, paths))
            if (entry.Files.All(f => FindFile(entry, folder, f) is not null))
                return new DatasetLocation(folder, via);
        return null;
    }

    /// <summary>The path of the file in the folder under any of its accepted names, or null.</summary>
    public static string? FindFile(CatalogEntry entry, string folder, DatasetFileSpec file) =>
        entry.DiskNames(file).Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists);

    /// <summary>One-line explanation of where the entry was looked for and how to provide it.</summary>
    public static string NotFoundMessage(CatalogEntry entry, DataSearchPaths paths)
    {
        var looked = string.Join(", ", Candidates(entry, paths).Select(c => c.Folder).Distinct());
        var files = string.Join(", ", entry.Files.Select(f => entry.DiskNames(f).First()));
        var remedy = entry.Downloadable
            ? Remedies(entry) + $", or put {files} into --data-dir"
            : $"{entry.ObtainHint ?? "obtain the files"} and put {files} into --data-dir, ${DataSearchPaths.DataVariable}/{entry.Name} or {paths.CacheFolder(entry)}";
        return $"{entry.Name} not found (looked in {looked}); {remedy}";
    }

    /// <summary>The ways to get a downloadable dataset onto the machine, as one clause.</summary>
    public static string Remedies(CatalogEntry entry) =>
        $"run `landscape data fetch {entry.Name}` with network access"
        + (entry.DebianPackage is null ? "" : $", or `apt-get install {entry.DebianPackage}`");
}
