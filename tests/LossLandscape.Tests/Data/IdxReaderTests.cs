using LossLandscape.Data;
using TorchSharp;

namespace LossLandscape.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabelsRawOrGzip(bool gzip)
    {
        using var dir = new TempFolder();
        // Deliberately misleading names: compression must be detected from content.
        var images = IdxFiles.Write(dir.File("images.bin"), IdxFiles.Images(3, 2, 4, i => (byte)(i * 10)), gzip);
        var labels = IdxFiles.Write(dir.File("labels.gz"), IdxFiles.Labels(2, 0, 9), gzip);

        using var data = IdxReader.ReadDataset(images, labels, 10, "tiny");

        Assert.Equal(new long[] { 3, 1, 2, 4 }, data.Inputs.shape);
        Assert.Equal(torch.ScalarType.Float32, data.Inputs.dtype);
        Assert.Equal(new long[] { 2, 0, 9 }, data.Labels.data<long>().ToArray());
        var pixels = data.Inputs.reshape(-1).data<float>().ToArray();
        Assert.Equal(0f, pixels[0]);
        Assert.Equal(10f / 255f, pixels[1], 6);
        Assert.Equal(230f / 255f, pixels[23], 6);
        // Sample 1, row 0, column 1 is flat index 8 + 1.
        Assert.Equal(90f / 255f, data.Inputs[1, 0, 0, 1].item<float>(), 6);
    }

    [Fact]
    public void WrongMagicNamesFileAndBothMagics()
    {
        using var dir = new TempFolder();
        var path = IdxFiles.Write(dir.File("img"), IdxFiles.Encode(0x12345678, [1, 1, 1], [0]), gzip: false);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x00000803", e.Message);
        Assert.Contains("0x12345678", e.Message);
    }

    [Fact]
    public void LabelFileIsNotAnImageFile()
    {
        using var dir = new TempFolder();
        var path = IdxFiles.Write(dir.File("labels"), IdxFiles.Labels(1, 2), gzip: true);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains("found 0x00000801", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataReportsExpectedAndActualSize(bool gzip)
    {
        using var dir = new TempFolder();
        var full = IdxFiles.Images(4, 3, 3);
        var path = IdxFiles.Write(dir.File("img"), full[..^5], gzip);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated: header says 4x3x3 = 36 bytes of data, file has 31", e.Message);
    }

    [Fact]
    public void TrailingGarbageIsRejected()
    {
        using var dir = new TempFolder();
        var path = IdxFiles.Write(dir.File("labels"), [.. IdxFiles.Labels(1, 2), 7], gzip: false);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path, 10));
        Assert.Contains("trailing garbage", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void CorruptGzipIsADataFormatError()
    {
        using var dir = new TempFolder();
        var gz = IdxFiles.Gzip(IdxFiles.Images(20, 8, 8));
        for (int i = 12; i < gz.Length - 8; i++)
            gz[i] ^= 0x5a;
        var path = IdxFiles.Write(dir.File("img.gz"), gz, gzip: false);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TruncatedGzipIsADataFormatError()
    {
        using var dir = new TempFolder();
        var gz = IdxFiles.Gzip(IdxFiles.Images(20, 8, 8));
        var path = IdxFiles.Write(dir.File("img.gz"), gz[..(gz.Length / 2)], gzip: false);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void CountMismatchNamesLabelFile()
    {
        using var dir = new TempFolder();
        var images = IdxFiles.Write(dir.File("img"), IdxFiles.Images(3, 2, 2), gzip: false);
        var labels = IdxFiles.Write(dir.File("lab"), IdxFiles.Labels(1, 2), gzip: false);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadDataset(images, labels, 10, "x"));
        Assert.Contains(labels, e.Message);
        Assert.Contains("2 labels", e.Message);
        Assert.Contains("3 images", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsRejected()
    {
        using var dir = new TempFolder();
        var labels = IdxFiles.Write(dir.File("lab"), IdxFiles.Labels(1, 10, 2), gzip: false);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(labels, 10));
        Assert.Contains("label 10 at index 1", e.Message);
    }

    [Fact]
    public void MissingFileIsAUserErrorNamingThePath()
    {
        using var dir = new TempFolder();
        var path = dir.File("nothing-here");
        var e = Assert.Throws<LandscapeException>(() => IdxReader.ReadImages(path));
        Assert.IsNotType<DataFormatException>(e);
        Assert.Contains(path, e.Message);
    }
}
