using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Data;

/// <summary>
/// Reads the binary versions of CIFAR-10 and CIFAR-100. A file is a sequence of fixed-size records:
/// label byte(s) followed by 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each row-major 32x32).
/// CIFAR-10 has one label byte; CIFAR-100 has a coarse and a fine label byte, and the fine one is used.
/// </summary>
public static class CifarReader
{
    public const int PixelBytes = 3 * 32 * 32;
    public static readonly string[] Cifar10TrainFiles = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
    public const string Cifar10TestFile = "test_batch.bin";
    public const string Cifar100TrainFile = "train.bin";
    public const string Cifar100TestFile = "test.bin";

    /// <summary>CIFAR-10 from a folder holding data_batch_1..5.bin and test_batch.bin.</summary>
    public static DataSplit ReadCifar10(string folder)
    {
        var train = ReadRecords(Cifar10TrainFiles.Select(f => Path.Combine(folder, f)).ToArray(), CifarVariant.Cifar10, "cifar-10/train");
        try
        {
            return new DataSplit(train, ReadRecords([Path.Combine(folder, Cifar10TestFile)], CifarVariant.Cifar10, "cifar-10/test"));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>CIFAR-100 (fine labels) from a folder holding train.bin and test.bin.</summary>
    public static DataSplit ReadCifar100(string folder)
    {
        var train = ReadRecords([Path.Combine(folder, Cifar100TrainFile)], CifarVariant.Cifar100, "cifar-100/train");
        try
        {
            return new DataSplit(train, ReadRecords([Path.Combine(folder, Cifar100TestFile)], CifarVariant.Cifar100, "cifar-100/test"));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The records of one or more files concatenated in order: images float32 [N, 3, 32, 32] in [0, 1],
    /// labels int64 [N].
    /// </summary>
    public static Dataset ReadRecords(IReadOnlyList<string> paths, CifarVariant variant, string name)
    {
        int labelBytes = variant == CifarVariant.Cifar10 ? 1 : 2;
        int recordSize = labelBytes + PixelBytes;
        int classes = variant == CifarVariant.Cifar10 ? 10 : 100;
        var contents = paths.Select(DataFile.ReadAllBytes).ToArray();
        for (int f = 0; f < paths.Count; f++)
        {
            if (contents[f].Length % recordSize != 0)
                throw new DataFormatException(paths[f],
                    $"length {contents[f].Length} is not a multiple of the {variant} record size {recordSize} ({labelBytes} label byte(s) + {PixelBytes} pixel bytes)");
            for (int offset = labelBytes - 1; offset < contents[f].Length; offset += recordSize)
                if (contents[f][offset] >= classes)
                    throw new DataFormatException(paths[f],
                        $"label {contents[f][offset]} in record {offset / recordSize} is out of range; expected 0..{classes - 1}");
        }
        var all = contents.Length == 1 ? contents[0] : Concatenate(contents);
        long count = all.Length / recordSize;
        using var scope = torch.NewDisposeScope();
        var records = torch.tensor(all, new[] { count, (long)recordSize });
        var labels = records.select(1, labelBytes - 1).to(ScalarType.Int64);
        var images = records.narrow(1, labelBytes, PixelBytes).reshape(count, 3, 32, 32).to(ScalarType.Float32).div_(255f);
        return new Dataset(name, images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), classes);
    }

    static byte[] Concatenate(byte[][] parts)
    {
        var all = new byte[parts.Sum(p => (long)p.Length)];
        long offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(all, offset);
            offset += part.Length;
        }
        return all;
    }
}

public enum CifarVariant { Cifar10, Cifar100 }
