namespace LossLandscape.Data;

/// <summary>How <see cref="DataCatalog.Load(string, string?, DataLoadOptions?)"/> may obtain and check data.</summary>
public sealed record DataLoadOptions(bool AllowDownload = false, bool VerifyHashes = true, Action<FetchProgress>? Progress = null, string? BaseUrl = null);

/// <summary>Whether a file's decompressed content was checked against the catalog hash.</summary>
public enum HashCheck { Verified, Unknown, Skipped }

public sealed record DataFileInfo(string Path, long BytesOnDisk, HashCheck Hash);

/// <summary>What `landscape data info` reports about a dataset.</summary>
public sealed record DatasetDescription(
    string Name, string Folder, string FoundVia, IReadOnlyList<DataFileInfo> Files,
    long TrainCount, long TestCount, long[] SampleShape, int Classes)
{
    /// <summary>True when every file has a known hash and all matched.</summary>
    public bool HashesVerified => Files.All(f => f.Hash == HashCheck.Verified);

    public IEnumerable<string> ToLines()
    {
        yield return $"dataset  {Name}";
        yield return $"folder   {Folder} (found via {FoundVia})";
        foreach (var file in Files)
            yield return $"file     {System.IO.Path.GetFileName(file.Path)}  {file.BytesOnDisk} bytes  sha256 {file.Hash.ToString().ToLowerInvariant()}";
        yield return $"train    {TrainCount} samples";
        yield return $"test     {TestCount} samples";
        yield return $"shape    [{string.Join(", ", SampleShape)}]";
        yield return $"classes  {Classes}";
        yield return $"hashes   {(HashesVerified ? "verified" : Files.Any(f => f.Hash == HashCheck.Verified) ? "partly verified" : "not verified")}";
    }
}

/// <summary>
/// Loads catalog datasets by name: locates their folder (downloading into the user cache when allowed),
/// checks the decompressed files against the catalog hashes where known, and reads them.
/// </summary>
public static class DataCatalog
{
    public static DataSplit Load(string name, string? dataDir = null, DataLoadOptions? options = null) =>
        Load(name, DataSearchPaths.FromEnvironment(dataDir), options);

    public static DataSplit Load(string name, DataSearchPaths paths, DataLoadOptions? options = null) =>
        Read(DatasetCatalog.Find(name), Locate(DatasetCatalog.Find(name), paths, options ?? new()), options ?? new(), out _);

    public static DatasetDescription Describe(string name, string? dataDir = null) =>
        Describe(name, DataSearchPaths.FromEnvironment(dataDir));

    public static DatasetDescription Describe(string name, DataSearchPaths paths)
    {
        var entry = DatasetCatalog.Find(name);
        var location = Locate(entry, paths, new DataLoadOptions());
        using var split = Read(entry, location, new DataLoadOptions(), out var files);
        return new DatasetDescription(entry.Name, location.Folder, location.FoundVia, files,
            split.Train.Count, split.Test.Count, split.Train.SampleShape, split.Train.Classes);
    }

    static DatasetLocation Locate(CatalogEntry entry, DataSearchPaths paths, DataLoadOptions options)
    {
        if (DatasetLocator.Locate(entry, paths) is { } found)
            return found;
        if (!options.AllowDownload || !entry.Downloadable)
            throw new LandscapeException(DatasetLocator.NotFoundMessage(entry, paths));
        var folder = Downloader.Fetch(entry, paths.CacheFolder(entry), options.BaseUrl, options.Progress);
        return new DatasetLocation(folder, "download");
    }

    static DataSplit Read(CatalogEntry entry, DatasetLocation location, DataLoadOptions options, out IReadOnlyList<DataFileInfo> files)
    {
        var infos = new List<DataFileInfo>();
        files = infos;
        string PathOf(DatasetFileSpec file) => DatasetLocator.FindFile(entry, location.Folder, file)
            ?? throw new LandscapeException($"{location.Folder}: {entry.DiskNames(file).First()} is missing");

        if (entry.Format != DatasetFormat.Idx)
        {
            foreach (var file in entry.Files)
            {
                var path = PathOf(file);
                infos.Add(new DataFileInfo(path, new FileInfo(path).Length, HashCheck.Unknown));
            }
            return entry.Format == DatasetFormat.Cifar10Binary
                ? CifarReader.ReadCifar10(location.Folder)
                : CifarReader.ReadCifar100(location.Folder);
        }

        var contents = new Dictionary<DatasetFileRole, (string Path, byte[] Data)>();
        foreach (var file in entry.Files)
        {
            var path = PathOf(file);
            var data = DataFile.ReadAllBytes(path);
            var check = HashCheck.Skipped;
            if (options.VerifyHashes)
            {
                Downloader.Verify(file, data, path);
                check = file.Sha256 is null ? HashCheck.Unknown : HashCheck.Verified;
            }
            infos.Add(new DataFileInfo(path, new FileInfo(path).Length, check));
            contents[file.Role] = (path, data);
        }
        var trainImages = contents[DatasetFileRole.TrainImages];
        var trainLabels = contents[DatasetFileRole.TrainLabels];
        var testImages = contents[DatasetFileRole.TestImages];
        var testLabels = contents[DatasetFileRole.TestLabels];
        var train = IdxReader.DatasetFromBytes(trainImages.Data, trainImages.Path, trainLabels.Data, trainLabels.Path, entry.Classes, $"{entry.Name}/train");
        try
        {
            var test = IdxReader.DatasetFromBytes(testImages.Data, testImages.Path, testLabels.Data, testLabels.Path, entry.Classes, $"{entry.Name}/test");
            return new DataSplit(train, test);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }
}
