using System.Text;
using LossLandscape.Runs;

namespace LossLandscape.Tests.Reporting;

public class NpyFileTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("npy-tests-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string PathOf(string name) => Path.Combine(folder, name);

    [Theory]
    [InlineData(new long[] { 5 })]
    [InlineData(new long[] { 3, 4 })]
    [InlineData(new long[] { 2, 3, 4 })]
    [InlineData(new long[] { })]
    [InlineData(new long[] { 0, 7 })]
    public void Float64RoundTripKeepsShapeAndBits(long[] shape)
    {
        long count = shape.Aggregate(1L, (a, d) => a * d);
        var data = Enumerable.Range(0, (int)count).Select(i => Math.PI * i - 1e-300 * i).ToArray();
        if (count > 1) data[1] = double.NaN;
        var path = PathOf("a.npy");
        NpyFile.Write(path, data, shape);
        var back = NpyFile.Read(path);
        Assert.Equal(NpyDtype.Float64, back.Dtype);
        Assert.Equal(shape, back.Shape);
        Assert.Equal(data.Select(BitConverter.DoubleToInt64Bits), ((double[])back.Data).Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(0, (new FileInfo(path).Length - count * 8) % 64);
    }

    [Fact]
    public void Float32AndInt64RoundTrip()
    {
        var f = new[] { 1.5f, -2.25f, float.MaxValue, 0f, 1e-30f, 7f };
        NpyFile.Write(PathOf("f.npy"), f, [2, 3]);
        var backF = NpyFile.Read(PathOf("f.npy"));
        Assert.Equal(NpyDtype.Float32, backF.Dtype);
        Assert.Equal(new long[] { 2, 3 }, backF.Shape);
        Assert.Equal(f, (float[])backF.Data);

        var l = new[] { long.MinValue, -1L, 0L, long.MaxValue };
        NpyFile.Write(PathOf("l.npy"), l, [4]);
        var backL = NpyFile.Read(PathOf("l.npy"));
        Assert.Equal(NpyDtype.Int64, backL.Dtype);
        Assert.Equal(l, (long[])backL.Data);
        Assert.Equal(l.Select(v => (double)v), backL.ToDoubles());
    }

    [Fact]
    public void MatrixRoundTripKeepsRowMajorOrder()
    {
        var m = new double[2, 3] { { 1, 2, 3 }, { 4, 5, 6 } };
        NpyFile.Write(PathOf("m.npy"), m);
        var back = NpyFile.Read(PathOf("m.npy"));
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, (double[])back.Data);
        Assert.Equal(m, back.ToMatrix());
    }

    [Fact]
    public void HeaderIsNumpysVersion1LayoutPaddedTo64Bytes()
    {
        var path = PathOf("h.npy");
        NpyFile.Write(path, new double[51 * 51], [51, 51]);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal(10 + headerLength + 51 * 51 * 8, bytes.Length);
        var text = Encoding.ASCII.GetString(bytes, 10, headerLength);
        const string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (51, 51), }";
        Assert.StartsWith(dict, text);
        Assert.EndsWith("\n", text);
        Assert.Equal(new string(' ', headerLength - dict.Length - 1), text[dict.Length..^1]);
        Assert.Equal(128, 10 + headerLength);

        var oneD = Encoding.ASCII.GetString(NpyFile.Header(NpyDtype.Float32, [7]));
        Assert.Contains("{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", oneD);
        var scalar = Encoding.ASCII.GetString(NpyFile.Header(NpyDtype.Int64, []));
        Assert.Contains("'shape': (), }", scalar);
        Assert.Equal(0, scalar.Length % 64);
    }

    [Fact]
    public void WriteRejectsShapeThatDoesNotMatchTheData()
    {
        Assert.Throws<ArgumentException>(() => NpyFile.Write(PathOf("x.npy"), new double[5], [2, 3]));
        Assert.False(File.Exists(PathOf("x.npy")));
    }

    [Fact]
    public void TruncatedFileIsADataFormatErrorNamingTheFile()
    {
        var path = PathOf("t.npy");
        NpyFile.Write(path, new double[12], [3, 4]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        var e = Assert.Throws<DataFormatException>(() => NpyFile.Read(path));
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);

        File.WriteAllBytes(path, bytes[..40]);
        Assert.Throws<DataFormatException>(() => NpyFile.Read(path));
    }

    [Fact]
    public void WrongMagicOrDtypeIsADataFormatError()
    {
        var path = PathOf("w.npy");
        File.WriteAllText(path, "alpha,beta,loss\n0,0,1\n");
        var e = Assert.Throws<DataFormatException>(() => NpyFile.Read(path));
        Assert.Contains("magic", e.Message);
        Assert.Contains(path, e.Message);

        NpyFile.Write(path, new double[2], [2]);
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.Latin1.GetString(bytes).Replace("'<f8'", "'>f8'");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(text));
        e = Assert.Throws<DataFormatException>(() => NpyFile.Read(path));
        Assert.Contains(">f8", e.Message);
    }
}
