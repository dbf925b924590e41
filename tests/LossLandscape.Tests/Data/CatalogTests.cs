using LossLandscape.Data;

namespace LossLandscape.Tests.Data;

public class CatalogTests
{
    const string SystemFolder = "/usr/share/datasets/fashion-mnist";

    static void TouchAll(CatalogEntry entry, string folder, bool gz = true)
    {
        Directory.CreateDirectory(folder);
        foreach (var f in entry.Files)
            File.WriteAllBytes(Path.Combine(folder, gz ? entry.DiskNames(f).First() : f.Name), []);
    }

    [Fact]
    public void LookupOrderIsDataDirThenVariableThenCache()
    {
        using var dir = new TempFolder();
        var entry = DatasetCatalog.FashionMnist;
        var dataDir = dir.File("explicit");
        var envDir = dir.File("env");
        var cache = dir.File("cache");
        var implicitPaths = new DataSearchPaths(null, envDir, cache, IncludeSystemFolders: false);
        var paths = implicitPaths with { DataDir = dataDir };

        Assert.Null(DatasetLocator.Locate(entry, implicitPaths));
        TouchAll(entry, Path.Combine(cache, "fashion-mnist"), gz: false);
        Assert.Equal(new DatasetLocation(Path.Combine(cache, "fashion-mnist"), "user cache"), DatasetLocator.Locate(entry, implicitPaths));
        TouchAll(entry, envDir);
        Assert.Equal(new DatasetLocation(envDir, DataSearchPaths.DataVariable), DatasetLocator.Locate(entry, implicitPaths));
        TouchAll(entry, Path.Combine(dataDir, "fashion-mnist"));
        Assert.Equal(new DatasetLocation(Path.Combine(dataDir, "fashion-mnist"), "--data-dir"), DatasetLocator.Locate(entry, paths));
        // An explicit --data-dir missing one file is an error, not a silent fall-through to another copy.
        File.Delete(Path.Combine(dataDir, "fashion-mnist", "t10k-labels-idx1-ubyte.gz"));
        var e = Assert.Throws<LandscapeException>(() => DatasetLocator.Locate(entry, paths));
        Assert.Contains(dataDir, e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        var missing = Assert.Throws<LandscapeException>(() => DatasetLocator.Locate(entry, paths with { DataDir = dir.File("absent") }));
        Assert.Contains("no such folder", missing.Message);
    }

    [Fact]
    public void CifarFoldersAreFoundUnderTheirArchiveNames()
    {
        using var dir = new TempFolder();
        TouchAll(DatasetCatalog.Cifar10, dir.File("cifar-10-batches-bin"));
        var paths = new DataSearchPaths(dir.Path, null, dir.File("cache"), IncludeSystemFolders: false);
        Assert.Equal(dir.File("cifar-10-batches-bin"), DatasetLocator.Locate(DatasetCatalog.Cifar10, paths)!.Folder);
        var e = Assert.Throws<LandscapeException>(() => DataCatalog.Load("cifar-100", paths));
        Assert.Contains("train.bin", e.Message);
        Assert.Contains("cifar-100-binary.tar.gz", e.Message);
    }

    [Fact]
    public void UnknownNameListsKnownDatasets()
    {
        var e = Assert.Throws<LandscapeException>(() => DatasetCatalog.Find("imagenet"));
        Assert.Contains("fashion-mnist", e.Message);
        Assert.Same(DatasetCatalog.Mnist, DatasetCatalog.Find("MNIST"));
    }

    [Fact]
    public void MissingDataWithoutDownloadNamesBothRemedies()
    {
        using var dir = new TempFolder();
        var paths = new DataSearchPaths(dir.Path, null, dir.File("cache"), IncludeSystemFolders: false);
        var e = Assert.Throws<LandscapeException>(() => DataCatalog.Load("fashion-mnist", paths));
        Assert.Contains("landscape data fetch fashion-mnist", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void LoadsRealFashionMnistWithVerifiedHashes()
    {
        Assert.True(Directory.Exists(SystemFolder), $"this test needs the Debian package dataset-fashion-mnist ({SystemFolder})");
        using var dir = new TempFolder();
        var paths = new DataSearchPaths(null, null, dir.File("cache"));
        var description = DataCatalog.Describe("fashion-mnist", paths);
        Assert.Equal(SystemFolder, description.Folder);
        Assert.Equal(60000, description.TrainCount);
        Assert.Equal(10000, description.TestCount);
        Assert.Equal(new long[] { 1, 28, 28 }, description.SampleShape);
        Assert.Equal(10, description.Classes);
        Assert.True(description.HashesVerified);
        Assert.Contains(description.ToLines(), l => l.StartsWith("hashes") && l.EndsWith("verified") && !l.Contains("not"));

        using var split = DataCatalog.Load("fashion-mnist", paths);
        Assert.Equal(new long[] { 60000, 1, 28, 28 }, split.Train.Inputs.shape);
        Assert.Equal(new long[] { 10000 }, split.Test.Labels.shape);
        // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
        Assert.All(split.Train.Labels.bincount(null).data<long>().ToArray(), c => Assert.Equal(6000, c));
        Assert.All(split.Test.Labels.bincount(null).data<long>().ToArray(), c => Assert.Equal(1000, c));
        Assert.InRange(split.Train.Inputs.max().item<float>(), 0.99f, 1f);
        Assert.Equal(0f, split.Train.Inputs.min().item<float>());
    }
}
