using System.Buffers.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Data;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian magic (0x00000803 for 3-D ubyte
/// images, 0x00000801 for 1-D ubyte labels), big-endian int32 dimensions, then the raw bytes. Files may be
/// gzip-compressed or raw. Every deviation from the header is a <see cref="DataFormatException"/>.
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>Images as float32 [N, 1, H, W] scaled to [0, 1].</summary>
    public static Tensor ReadImages(string path) => ImagesFromBytes(DataFile.ReadAllBytes(path), path);

    /// <summary>Labels as int64 [N], each checked to lie in [0, classes).</summary>
    public static Tensor ReadLabels(string path, int classes) => LabelsFromBytes(DataFile.ReadAllBytes(path), path, classes);

    /// <summary>An image file and its label file as one dataset; their sample counts must agree.</summary>
    public static Dataset ReadDataset(string imagesPath, string labelsPath, int classes, string name) =>
        DatasetFromBytes(DataFile.ReadAllBytes(imagesPath), imagesPath, DataFile.ReadAllBytes(labelsPath), labelsPath, classes, name);

    /// <summary>Like <see cref="ReadDataset"/> on bytes already decompressed (and perhaps hash-checked).</summary>
    public static Dataset DatasetFromBytes(byte[] images, string imagesPath, byte[] labels, string labelsPath, int classes, string name)
    {
        long imageCount = CheckHeader(images, imagesPath, ImagesMagic, "ubyte images, 3 dims")[0];
        long labelCount = CheckHeader(labels, labelsPath, LabelsMagic, "ubyte labels, 1 dim")[0];
        if (imageCount != labelCount)
            throw new DataFormatException(labelsPath, $"holds {labelCount} labels but {Path.GetFileName(imagesPath)} holds {imageCount} images; expected equal counts");
        var imageTensor = ImagesFromBytes(images, imagesPath);
        try
        {
            return new Dataset(name, imageTensor, LabelsFromBytes(labels, labelsPath, classes), classes);
        }
        catch
        {
            imageTensor.Dispose();
            throw;
        }
    }

    /// <summary>Parses decompressed image-file bytes; <paramref name="path"/> only names them in errors.</summary>
    public static Tensor ImagesFromBytes(byte[] bytes, string path)
    {
        var dims = CheckHeader(bytes, path, ImagesMagic, "ubyte images, 3 dims");
        using var scope = torch.NewDisposeScope();
        var pixels = torch.tensor(bytes.AsSpan(HeaderSize(dims.Length)).ToArray(), new[] { dims[0], 1, dims[1], dims[2] });
        return pixels.to(ScalarType.Float32).div_(255f).MoveToOuterDisposeScope();
    }

    /// <summary>Parses decompressed label-file bytes; <paramref name="path"/> only names them in errors.</summary>
    public static Tensor LabelsFromBytes(byte[] bytes, string path, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var dims = CheckHeader(bytes, path, LabelsMagic, "ubyte labels, 1 dim");
        var data = bytes.AsSpan(HeaderSize(dims.Length));
        // A span scan is far cheaper than a tensor reduction for a single pass over bytes.
        int bad = classes > 255 ? -1 : data.IndexOfAnyInRange((byte)classes, (byte)255);
        if (bad >= 0)
            throw new DataFormatException(path, $"label {data[bad]} at index {bad} is out of range; expected 0..{classes - 1}");
        using var scope = torch.NewDisposeScope();
        return torch.tensor(data.ToArray(), new[] { dims[0] }).to(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    static int HeaderSize(int dimCount) => 4 + 4 * dimCount;

    /// <summary>Validates magic, dimensions and exact data length; returns the dimensions.</summary>
    static long[] CheckHeader(byte[] bytes, string path, int magic, string what)
    {
        int dimCount = magic & 0xff;
        if (bytes.Length < 4)
            throw new DataFormatException(path, $"expected IDX magic 0x{magic:x8} ({what}), found a file of only {bytes.Length} bytes");
        int found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic)
            throw new DataFormatException(path, $"expected IDX magic 0x{magic:x8} ({what}), found 0x{found:x8}");
        int headerSize = HeaderSize(dimCount);
        if (bytes.Length < headerSize)
            throw new DataFormatException(path, $"truncated: expected a {headerSize}-byte header, file has {bytes.Length} bytes");
        var dims = new long[dimCount];
        long expected = 1;
        for (int i = 0; i < dimCount; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] < 0)
                throw new DataFormatException(path, $"dimension {i} is negative ({dims[i]})");
            expected *= dims[i];
        }
        long actual = bytes.Length - headerSize;
        string shape = string.Join("x", dims);
        if (actual < expected)
            throw new DataFormatException(path, $"truncated: header says {shape} = {expected} bytes of data, file has {actual}");
        if (actual > expected)
            throw new DataFormatException(path, $"trailing garbage: header says {shape} = {expected} bytes of data, file has {actual}");
        return dims;
    }
}
