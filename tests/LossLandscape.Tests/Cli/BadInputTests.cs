namespace LossLandscape.Tests.Cli;

/// <summary>Bad input: one line on stderr, exit code 2, no stack trace, nothing half-written.</summary>
public class BadInputTests
{
    static void AssertOneLineError(CliRunner.Result r, string expected)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}{r.Stdout}");
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.Stderr);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    static CliRunner.Result Train(string outFolder, params string[] extra) =>
        CliRunner.Run(new[] { "train", "--out", outFolder, "--epochs", "1", "--train-size", "500", "--test-size", "200", "--no-download", "--progress", "none" }
            .Concat(extra).ToArray());

    [Fact]
    public void NegativeEpochs()
    {
        var outFolder = Path.Combine(Path.GetTempPath(), $"ll-neg-{Guid.NewGuid():N}");
        AssertOneLineError(Train(outFolder, "--epochs", "-3"), "epochs");
        Assert.False(Directory.Exists(outFolder));
    }

    [Fact]
    public void UnknownModel()
    {
        var outFolder = Path.Combine(Path.GetTempPath(), $"ll-model-{Guid.NewGuid():N}");
        AssertOneLineError(Train(outFolder, "--model", "transformer"), "unknown model 'transformer'");
        Assert.False(Directory.Exists(outFolder));
    }

    [Fact]
    public void UnparsableOption()
    {
        AssertOneLineError(CliRunner.Run("train", "--epochs", "many"), "many");
    }

    [Fact]
    public void MissingDataFolder()
    {
        var outFolder = Path.Combine(Path.GetTempPath(), $"ll-miss-{Guid.NewGuid():N}");
        AssertOneLineError(Train(outFolder, "--data-dir", "/nonexistent/fashion"), "/nonexistent/fashion");
        Assert.False(Directory.Exists(outFolder));
    }

    [Fact]
    public void UnwritableOutputFolder()
    {
        var file = Path.GetTempFileName();
        var r = Train(Path.Combine(file, "run"));
        AssertOneLineError(r, file);
        File.Delete(file);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("magic")]
    public void CorruptIdxFilesNameTheFile(string damage)
    {
        var dataDir = CliRunner.TempFolder("idx");
        foreach (var f in Directory.GetFiles("/usr/share/datasets/fashion-mnist"))
            File.Copy(f, Path.Combine(dataDir, Path.GetFileName(f)));
        var victim = Path.Combine(dataDir, "t10k-labels-idx1-ubyte");
        using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(victim + ".gz"), System.IO.Compression.CompressionMode.Decompress))
        using (var raw = File.Create(victim))
            gz.CopyTo(raw);
        File.Delete(victim + ".gz");
        var bytes = File.ReadAllBytes(victim);
        if (damage == "truncated") File.WriteAllBytes(victim, bytes[..5000]);
        else { bytes[3] = 0x99; File.WriteAllBytes(victim, bytes); }
        var outFolder = Path.Combine(dataDir, "run");
        AssertOneLineError(Train(outFolder, "--data-dir", dataDir), "t10k-labels-idx1-ubyte");
        Assert.False(Directory.Exists(outFolder));
        Directory.Delete(dataDir, true);
    }
}
