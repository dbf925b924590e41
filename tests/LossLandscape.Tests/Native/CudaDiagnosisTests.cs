using static TorchSharp.torch;

namespace LossLandscape.Tests.Native;

public class CudaDiagnosisTests
{
    [Fact]
    public void TheReasonAgreesWithTheLoadedLibTorch()
    {
        using var x = ones(2); // loads the native libraries
        var diagnosis = CudaDiagnosis.Probe();
        Assert.Equal(diagnosis.Available, diagnosis.Reason is null);
        if (diagnosis.Available)
        {
            Assert.True(diagnosis.DeviceCount > 0);
            Assert.NotNull(diagnosis.Native.LibTorchCuda);
            return;
        }
        Assert.StartsWith("not available: ", diagnosis.Summary);
        if (!diagnosis.Native.FolderHasCudaLibrary)
        {
            Assert.Null(diagnosis.Native.LibTorchCuda);
            Assert.Contains("CPU-only", diagnosis.Reason);
            var error = Assert.Throws<LandscapeException>(() => TorchRuntime.RequireCuda());
            Assert.Contains("CUDA is not usable: the loaded libtorch is a CPU-only build", error.Message);
        }
    }

    [Theory]
    [InlineData("__version__ = '2.11.0+cu130'\ndebug = False\ncuda: Optional[str] = '13.0'\n", "PyTorch 2.11.0+cu130, CUDA 13.0")]
    [InlineData("__version__ = '2.5.1+cpu'\ncuda: Optional[str] = None\n", "PyTorch 2.5.1+cpu, built without CUDA")]
    [InlineData("__version__ = \"1.13.1\"\ncuda = \"11.7\"\n", "PyTorch 1.13.1, CUDA 11.7")]
    [InlineData("git_version = 'abc'\n", null)]
    public void ReadsTheVersionOfAPyTorchInstallation(string versionPy, string? expected)
    {
        var torch = Path.Combine(Path.GetTempPath(), $"ll-torch-{Guid.NewGuid():N}", "torch");
        Directory.CreateDirectory(Path.Combine(torch, "lib"));
        try
        {
            File.WriteAllText(Path.Combine(torch, "version.py"), versionPy);
            Assert.Equal(expected, NativeRuntimeInfo.DescribePyTorch(Path.Combine(torch, "lib")));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(torch)!, recursive: true);
        }
    }

    [Fact]
    public void AFolderOutsidePyTorchHasNoRelease()
    {
        var lib = Path.Combine(Path.GetTempPath(), $"ll-notorch-{Guid.NewGuid():N}", "lib");
        Directory.CreateDirectory(lib);
        try
        {
            Assert.Null(NativeRuntimeInfo.DescribePyTorch(lib));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(lib)!, recursive: true);
        }
    }
}
