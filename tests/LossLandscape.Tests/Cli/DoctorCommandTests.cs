namespace LossLandscape.Tests.Cli;

/// <summary>
/// `landscape doctor` on the build's own libtorch (the libtorch-cpu package): it must say that CUDA is not available
/// and why, name the libraries it loaded, and report the variables that decide which libtorch loads.
/// </summary>
public class DoctorCommandTests
{
    /// <summary>The build's libtorch, whatever the test host's environment points at.</summary>
    static readonly Dictionary<string, string?> OwnLibTorch = new() { ["LD_LIBRARY_PATH"] = null, ["TORCH_LIB"] = null, ["CUDA_VISIBLE_DEVICES"] = null };

    /// <summary>The `key  value` lines of doctor's output (a key is followed by at least two spaces).</summary>
    static Dictionary<string, string> Lines(CliRunner.Result r)
    {
        Assert.DoesNotContain("   at ", r.Stderr + r.Stdout);
        var lines = new Dictionary<string, string>();
        foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int gap = line.IndexOf("  ", StringComparison.Ordinal);
            Assert.True(gap > 0, $"not a `key  value` line: '{line}'");
            lines[line[..gap]] = line[gap..].Trim();
        }
        return lines;
    }

    [Fact]
    public void SaysCudaIsNotAvailableBecauseTheLibTorchIsCpuOnly()
    {
        var r = CliRunner.Run(OwnLibTorch, "doctor", "--threads", "2");
        Assert.True(r.ExitCode is 0 or 2, $"exit {r.ExitCode}: {r.Stderr}"); // 2 only when the dataset is missing
        var lines = Lines(r);
        Assert.Equal("cpu", lines["device"]);
        Assert.EndsWith("libtorch_cpu.so", lines["libtorch"]);
        var folder = Path.GetDirectoryName(lines["libtorch"])!;
        Assert.True(Directory.Exists(folder), folder);
        Assert.False(File.Exists(Path.Combine(folder, "libtorch_cuda.so")));
        Assert.StartsWith($"none in {folder}: a CPU-only libtorch", lines["libtorch_cuda"]);
        Assert.StartsWith("not available: the loaded libtorch is a CPU-only build", lines["cuda"]);
        Assert.Contains($"{folder} has no libtorch_cuda.so", lines["cuda"]);
        Assert.StartsWith("ok on cpu", lines["double grad"]);
        Assert.Contains("gpu devices", lines.Keys);
        Assert.Contains("libcuda.so.1", lines["gpu driver"]);
        Assert.DoesNotContain("LD_LIBRARY_PATH", lines.Keys);
        Assert.DoesNotContain("TORCH_LIB", lines.Keys);
    }

    [Fact]
    public void ReportsTheVariablesThatChooseTheLibTorch()
    {
        var r = CliRunner.Run(new Dictionary<string, string?>
        {
            ["LD_LIBRARY_PATH"] = "/nonexistent/torch/lib",
            ["TORCH_LIB"] = "/nonexistent/other/lib",
            ["CUDA_VISIBLE_DEVICES"] = null,
        }, "doctor", "--threads", "2");
        var lines = Lines(r);
        Assert.Equal("/nonexistent/torch/lib", lines["LD_LIBRARY_PATH"]);
        Assert.Equal("/nonexistent/other/lib", lines["TORCH_LIB"]);
        Assert.StartsWith("not available:", lines["cuda"]);
    }

    [Fact]
    public void AskedForCudaItDiagnosesOnTheCpuAndFails()
    {
        var r = CliRunner.Run(OwnLibTorch, "doctor", "--device", "cuda", "--threads", "2");
        Assert.Equal(2, r.ExitCode);
        var lines = Lines(r);
        Assert.Equal("cpu (--device cuda refused: see the cuda line)", lines["device"]);
        Assert.StartsWith("not available: the loaded libtorch is a CPU-only build", lines["cuda"]);
        Assert.StartsWith("ok on cpu", lines["double grad"]);
    }

    [Fact]
    public void OtherCommandsRefuseCudaWithTheReasonInOneLine()
    {
        var outFolder = Path.Combine(Path.GetTempPath(), $"ll-cuda-{Guid.NewGuid():N}");
        var r = CliRunner.Run(OwnLibTorch, "train", "--device", "cuda", "--out", outFolder, "--epochs", "1", "--no-download", "--progress", "none");
        Assert.Equal(2, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.Stderr);
        Assert.Contains("--device cuda: CUDA is not usable: the loaded libtorch is a CPU-only build", lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.False(Directory.Exists(outFolder));
    }

    [Fact]
    public void WarnsWhenLibTorchLibrariesComeFromTwoFolders()
    {
        // Copies of the small libc10.so and libtorch.so first on LD_LIBRARY_PATH: the dynamic loader takes them, while
        // TorchSharp loads the app's own libtorch_cpu.so, as happens when PyTorch's torch/lib is put beside an unpruned build.
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        var other = CliRunner.TempFolder("libtorch-copy");
        try
        {
            foreach (var name in new[] { "libc10.so", "libtorch.so" }) File.Copy(Path.Combine(native, name), Path.Combine(other, name));
            var r = CliRunner.Run(new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = other, ["TORCH_LIB"] = null, ["CUDA_VISIBLE_DEVICES"] = null },
                "doctor", "--threads", "2");
            Assert.Equal(2, r.ExitCode);
            var lines = Lines(r);
            Assert.StartsWith("WARNING: libtorch libraries came from 2 folders", lines["libtorch mix"]);
            Assert.Contains(other, lines["libtorch mix"]);
            Assert.StartsWith("not available: libtorch libraries from 2 folders are mixed in this process", lines["cuda"]);
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }
}
