using LossLandscape.Runs;

namespace LossLandscape.Tests.Reporting;

public class GridFileTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("grid-tests-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string PathOf(string name) => Path.Combine(folder, name);

    static double[] Linspace(double a, double b, int n) => Enumerable.Range(0, n).Select(i => a + (b - a) * i / (n - 1)).ToArray();

    static Surface TestSurface()
    {
        var alpha = Linspace(-1, 1, 5);
        var beta = Linspace(-0.5, 0.5, 3);
        var loss = new double[3, 5];
        var acc = new double[3, 5];
        for (int iy = 0; iy < 3; iy++)
            for (int ix = 0; ix < 5; ix++)
            {
                loss[iy, ix] = Math.Exp(alpha[ix]) / 3 + beta[iy] * beta[iy];
                acc[iy, ix] = 0.1 * ix + 1e-17 * iy;
            }
        return new Surface(alpha, beta, [new SurfaceValues("train_loss", loss), new SurfaceValues("train_acc", acc)]);
    }

    [Fact]
    public void CurveRoundTripsExactlyWithTheGivenHeader()
    {
        var alpha = Linspace(-0.5, 1.5, 7);
        var curve = new Curve(new GridColumn("alpha", alpha),
        [
            new GridColumn("train_loss", alpha.Select(a => Math.Sin(a) / 7).ToArray()),
            new GridColumn("train_acc", alpha.Select(a => 1 / 3.0 + a).ToArray()),
            new GridColumn("test_loss", alpha.Select(a => a == 0 ? double.NaN : 1e-300 / a).ToArray()),
            new GridColumn("test_acc", alpha.Select(a => double.PositiveInfinity).ToArray()),
        ]);
        var path = PathOf("curve.csv");
        GridFile.WriteCurve(path, curve);
        Assert.Equal("alpha,train_loss,train_acc,test_loss,test_acc", File.ReadLines(path).First());
        Assert.Equal(8, File.ReadLines(path).Count());
        var back = GridFile.ReadCurve(path);
        Assert.Equal("alpha", back.Axis.Name);
        Assert.Equal(alpha, back.Axis.Values);
        Assert.Equal(curve.Values.Select(c => c.Name), back.Values.Select(c => c.Name));
        foreach (var c in curve.Values)
            Assert.Equal(c.Values.Select(BitConverter.DoubleToInt64Bits), back[c.Name].Values.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void CurveRejectsRaggedColumnsAndBadNames()
    {
        var axis = new GridColumn("alpha", [0.0, 1.0]);
        Assert.Throws<ArgumentException>(() => GridFile.WriteCurve(PathOf("c.csv"), new Curve(axis, [new GridColumn("loss", [1.0])])));
        Assert.Throws<ArgumentException>(() => GridFile.WriteCurve(PathOf("c.csv"), new Curve(axis, [new GridColumn("a,b", [1.0, 2.0])])));
        Assert.Throws<ArgumentException>(() => GridFile.WriteCurve(PathOf("c.csv"), new Curve(axis, [new GridColumn("alpha", [1.0, 2.0])])));
    }

    [Fact]
    public void SurfaceRoundTripsThroughCsvAndNpy()
    {
        var surface = TestSurface();
        var csv = PathOf("surface.csv");
        var written = GridFile.WriteSurface(csv, surface);
        Assert.Equal(new[] { csv, PathOf("surface.train_loss.npy"), PathOf("surface.train_acc.npy"), PathOf("surface.alpha.npy"), PathOf("surface.beta.npy") }, written);

        var lines = File.ReadAllLines(csv);
        Assert.Equal("alpha,beta,train_loss,train_acc", lines[0]);
        Assert.Equal(1 + 15, lines.Length);
        Assert.StartsWith("-0.5,-0.5,", lines[2]); // beta-major: alpha varies fastest

        var back = GridFile.ReadSurface(csv);
        Assert.Equal(surface.Alpha, back.Alpha);
        Assert.Equal(surface.Beta, back.Beta);
        Assert.Equal(surface["train_loss"].Z, back["train_loss"].Z);
        Assert.Equal(surface["train_acc"].Z, back["train_acc"].Z);

        var npy = NpyFile.Read(PathOf("surface.train_loss.npy"));
        Assert.Equal(new long[] { 3, 5 }, npy.Shape);
        Assert.Equal(surface["train_loss"].Z, npy.ToMatrix());
        Assert.Equal(surface.Alpha, (double[])NpyFile.Read(PathOf("surface.alpha.npy")).Data);
    }

    [Fact]
    public void PartialSurfaceReportsPresentPointsAndTheFirstMissing()
    {
        var surface = TestSurface();
        var csv = PathOf("partial.csv");
        GridFile.WriteSurface(csv, surface);
        var lines = File.ReadAllLines(csv);
        // Killed after 7 points, in the middle of writing the 8th.
        File.WriteAllText(csv, string.Join('\n', lines[..8]) + "\n" + lines[8][..6]);

        var progress = GridFile.ReadSurface(csv, surface.Alpha, surface.Beta);
        Assert.Equal(7, progress.PresentCount);
        Assert.False(progress.IsComplete);
        Assert.Equal((2, 1), progress.FirstMissing);
        Assert.Equal(8, progress.Missing().Count());
        Assert.True(progress.Present[1, 1]);
        Assert.False(progress.Present[1, 2]);
        Assert.Equal(surface["train_loss"].Z[1, 1], progress.Surface["train_loss"].Z[1, 1]);
        Assert.True(double.IsNaN(progress.Surface["train_loss"].Z[1, 2]));
        Assert.Throws<DataFormatException>(() => GridFile.ReadSurface(csv));
    }

    [Fact]
    public void RowWriterResumesAfterATornLineAndCompletesTheSurface()
    {
        var surface = TestSurface();
        var csv = PathOf("resume.csv");
        string[] fields = ["train_loss", "train_acc"];
        using (var writer = SurfaceRowWriter.Open(csv, fields))
            for (int k = 0; k < 4; k++)
                writer.Append(surface.Alpha[k % 5], surface.Beta[k / 5], [surface["train_loss"].Z[k / 5, k % 5], surface["train_acc"].Z[k / 5, k % 5]]);
        File.AppendAllText(csv, "0.5,-0.5,0.3"); // the crash

        var progress = GridFile.ReadSurface(csv, surface.Alpha, surface.Beta);
        Assert.Equal((4, 0), progress.FirstMissing);
        using (var writer = SurfaceRowWriter.Open(csv, fields))
            foreach (var (ix, iy) in progress.Missing())
                writer.Append(surface.Alpha[ix], surface.Beta[iy], [surface["train_loss"].Z[iy, ix], surface["train_acc"].Z[iy, ix]]);

        var done = GridFile.ReadSurface(csv, surface.Alpha, surface.Beta);
        Assert.True(done.IsComplete);
        Assert.Null(done.FirstMissing);
        Assert.Equal(surface["train_loss"].Z, done.Surface["train_loss"].Z);
        Assert.Equal(16, File.ReadAllLines(csv).Length);

        Assert.Throws<DataFormatException>(() => SurfaceRowWriter.Open(csv, ["test_loss"]));
    }

    [Fact]
    public void SurfaceCsvWithOffGridPointsOrGarbageIsADataFormatError()
    {
        var csv = PathOf("bad.csv");
        File.WriteAllText(csv, "alpha,beta,loss\n0,0,1\n0.3,0,1\n");
        var e = Assert.Throws<DataFormatException>(() => GridFile.ReadSurface(csv, [0.0, 1.0], [0.0]));
        Assert.Contains("line 3", e.Message);
        File.WriteAllText(csv, "alpha,beta,loss\n0,0,oops\n");
        e = Assert.Throws<DataFormatException>(() => GridFile.ReadSurface(csv, [0.0], [0.0]));
        Assert.Equal(csv, e.Path);
        File.WriteAllText(csv, "x,y,loss\n0,0,1\n");
        Assert.Throws<DataFormatException>(() => GridFile.ReadSurface(csv, [0.0], [0.0]));
    }
}
