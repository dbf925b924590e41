using LossLandscape.Data;

namespace LossLandscape.Tests.Data;

public class CifarReaderTests
{
    static byte[] Records(int labelBytes, params byte[][] labelsPerRecord)
    {
        int size = labelBytes + CifarReader.PixelBytes;
        var bytes = new byte[size * labelsPerRecord.Length];
        for (int r = 0; r < labelsPerRecord.Length; r++)
        {
            labelsPerRecord[r].CopyTo(bytes, r * size);
            // Channel c of record r filled with 10*r + c so layout mistakes show.
            for (int c = 0; c < 3; c++)
                bytes.AsSpan(r * size + labelBytes + c * 1024, 1024).Fill((byte)(10 * r + c));
        }
        return bytes;
    }

    [Fact]
    public void ReadsCifar10RecordsAcrossFiles()
    {
        using var dir = new TempFolder();
        var a = dir.File("a.bin");
        var b = dir.File("b.bin");
        File.WriteAllBytes(a, Records(1, [3], [9]));
        File.WriteAllBytes(b, Records(1, [0]));
        using var data = CifarReader.ReadRecords([a, b], CifarVariant.Cifar10, "c10");
        Assert.Equal(new long[] { 3, 3, 32, 32 }, data.Inputs.shape);
        Assert.Equal(new long[] { 3, 9, 0 }, data.Labels.data<long>().ToArray());
        Assert.Equal(10, data.Classes);
        Assert.Equal(11f / 255f, data.Inputs[1, 1, 31, 0].item<float>(), 6);
        Assert.Equal(2f / 255f, data.Inputs[2, 2, 5, 5].item<float>(), 6);
    }

    [Fact]
    public void Cifar100UsesFineLabel()
    {
        using var dir = new TempFolder();
        var path = dir.File("train.bin");
        File.WriteAllBytes(path, Records(2, [19, 99], [4, 42]));
        using var data = CifarReader.ReadRecords([path], CifarVariant.Cifar100, "c100");
        Assert.Equal(new long[] { 99, 42 }, data.Labels.data<long>().ToArray());
        Assert.Equal(100, data.Classes);
        Assert.Equal(10f / 255f, data.Inputs[1, 0, 0, 0].item<float>(), 6);
    }

    [Fact]
    public void LengthNotAMultipleOfRecordSizeIsRejected()
    {
        using var dir = new TempFolder();
        var path = dir.File("data_batch_1.bin");
        File.WriteAllBytes(path, Records(1, [1], [2])[..^1]);
        var e = Assert.Throws<DataFormatException>(() => CifarReader.ReadRecords([path], CifarVariant.Cifar10, "c10"));
        Assert.Contains(path, e.Message);
        Assert.Contains("3073", e.Message);
    }

    [Fact]
    public void Cifar10LabelOutOfRangeIsRejected()
    {
        using var dir = new TempFolder();
        var path = dir.File("test_batch.bin");
        File.WriteAllBytes(path, Records(1, [1], [10]));
        var e = Assert.Throws<DataFormatException>(() => CifarReader.ReadRecords([path], CifarVariant.Cifar10, "c10"));
        Assert.Contains("record 1", e.Message);
    }

    [Fact]
    public void ReadsCifar10Folder()
    {
        using var dir = new TempFolder();
        byte k = 0;
        foreach (var f in CifarReader.Cifar10TrainFiles)
            File.WriteAllBytes(dir.File(f), Records(1, [k++], [k++]));
        File.WriteAllBytes(dir.File(CifarReader.Cifar10TestFile), Records(1, [5]));
        using var split = CifarReader.ReadCifar10(dir.Path);
        Assert.Equal(10, split.Train.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), split.Train.Labels.data<long>().ToArray());
        Assert.Equal(1, split.Test.Count);
    }
}
