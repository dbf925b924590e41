namespace LossLandscape.Data;

public enum DatasetFormat { Idx, Cifar10Binary, Cifar100Binary }

/// <summary>What a file contributes; IDX datasets need all four roles, CIFAR ones train and test batches.</summary>
public enum DatasetFileRole { TrainImages, TrainLabels, TestImages, TestLabels, TrainBatch, TestBatch }

/// <summary>
/// One file of a dataset. <see cref="Name"/> is the decompressed name; for gzip-distributed datasets the
/// file may also sit on disk as Name + ".gz". <see cref="Sha256"/> and <see cref="Length"/> describe the
/// DECOMPRESSED content (distributions recompress .gz files, so hashes of the archives differ); null where
/// not known, in which case the file is not verified.
/// </summary>
public sealed record DatasetFileSpec(string Name, DatasetFileRole Role, string? Sha256 = null, long? Length = null);

/// <summary>
/// A dataset the tool knows how to find, and for some, how to download. <see cref="Subfolders"/> are the
/// names under a data root that may hold it; <see cref="SystemFolders"/> where OS packages install it.
/// </summary>
public sealed record CatalogEntry(
    string Name,
    DatasetFormat Format,
    int Classes,
    IReadOnlyList<DatasetFileSpec> Files,
    IReadOnlyList<string> Subfolders,
    bool Gzipped,
    string? BaseUrl = null,
    string? BaseUrlVariable = null,
    IReadOnlyList<string>? SystemFolders = null,
    string? DebianPackage = null,
    string? ObtainHint = null)
{
    public bool Downloadable => BaseUrl is not null;

    /// <summary>Names under which a file may exist on disk, preferred first.</summary>
    public IEnumerable<string> DiskNames(DatasetFileSpec file) => Gzipped ? [file.Name + ".gz", file.Name] : [file.Name];
}

/// <summary>The datasets known by name to the tool.</summary>
public static class DatasetCatalog
{
    public static readonly CatalogEntry FashionMnist = new(
        "fashion-mnist", DatasetFormat.Idx, 10,
        [
            new("train-images-idx3-ubyte", DatasetFileRole.TrainImages, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47040016),
            new("train-labels-idx1-ubyte", DatasetFileRole.TrainLabels, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60008),
            new("t10k-images-idx3-ubyte", DatasetFileRole.TestImages, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7840016),
            new("t10k-labels-idx1-ubyte", DatasetFileRole.TestLabels, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10008),
        ],
        ["fashion-mnist"], Gzipped: true,
        BaseUrl: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        BaseUrlVariable: "LOSSLANDSCAPE_FASHION_MNIST_URL",
        SystemFolders: ["/usr/share/datasets/fashion-mnist"],
        DebianPackage: "dataset-fashion-mnist");

    // The original MNIST host is unreliable; this mirror serves the same four files. Hashes are left
    // unknown until checked against a trusted copy, so MNIST files are not verified.
    public static readonly CatalogEntry Mnist = new(
        "mnist", DatasetFormat.Idx, 10,
        [
            new("train-images-idx3-ubyte", DatasetFileRole.TrainImages, Length: 47040016),
            new("train-labels-idx1-ubyte", DatasetFileRole.TrainLabels, Length: 60008),
            new("t10k-images-idx3-ubyte", DatasetFileRole.TestImages, Length: 7840016),
            new("t10k-labels-idx1-ubyte", DatasetFileRole.TestLabels, Length: 10008),
        ],
        ["mnist"], Gzipped: true,
        BaseUrl: "https://ossci-datasets.s3.amazonaws.com/mnist/",
        BaseUrlVariable: "LOSSLANDSCAPE_MNIST_URL");

    public static readonly CatalogEntry Cifar10 = new(
        "cifar-10", DatasetFormat.Cifar10Binary, 10,
        [
            .. CifarReader.Cifar10TrainFiles.Select(f => new DatasetFileSpec(f, DatasetFileRole.TrainBatch, Length: 10000L * 3073)),
            new(CifarReader.Cifar10TestFile, DatasetFileRole.TestBatch, Length: 10000L * 3073),
        ],
        ["cifar-10", "cifar-10-batches-bin"], Gzipped: false,
        ObtainHint: "extract the CIFAR-10 binary version (cifar-10-binary.tar.gz)");

    public static readonly CatalogEntry Cifar100 = new(
        "cifar-100", DatasetFormat.Cifar100Binary, 100,
        [
            new(CifarReader.Cifar100TrainFile, DatasetFileRole.TrainBatch, Length: 50000L * 3074),
            new(CifarReader.Cifar100TestFile, DatasetFileRole.TestBatch, Length: 10000L * 3074),
        ],
        ["cifar-100", "cifar-100-binary"], Gzipped: false,
        ObtainHint: "extract the CIFAR-100 binary version (cifar-100-binary.tar.gz)");

    public static IReadOnlyList<CatalogEntry> Entries { get; } = [FashionMnist, Mnist, Cifar10, Cifar100];

    /// <summary>The entry of that name (case-insensitive); an unknown name is a user error listing the known ones.</summary>
    public static CatalogEntry Find(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new LandscapeException($"unknown dataset '{name}'; known datasets: {string.Join(", ", Entries.Select(e => e.Name))}");
}
