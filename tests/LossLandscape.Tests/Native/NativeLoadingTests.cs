using System.IO.Compression;
using LossLandscape.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Native;

public class NativeLoadingTests
{
    [Fact]
    public void TorchSharpNativeLibraryLoadsAndComputes()
    {
        using var x = tensor(new[] { 1.0f, 2.0f, 3.0f });
        Assert.Equal(6.0f, x.sum().item<float>());
        var info = NativeRuntimeInfo.Current();
        Assert.NotNull(info.TorchSharpLibrary);
        // On a host whose libstdc++ lacks GLIBCXX_3.4.32 the loaded copy must be the patched one.
        if (!info.HostHasGlibcxx3432) Assert.True(info.TorchSharpPatched);
    }

    [Fact]
    public void DoubleBackwardGivesTheHessianOfACubic()
    {
        // f(x) = sum x^3: gradient 3x^2, Hessian-vector product 6 x v.
        using var x = tensor(new[] { 1.0, -2.0, 0.5 }, requires_grad: true);
        using var v = tensor(new[] { 1.0, 1.0, 2.0 });
        using var f = x.pow(3).sum();
        var g = autograd.grad(new[] { f }, new[] { x }, retain_graph: true, create_graph: true)[0];
        var hv = autograd.grad(new[] { (g * v).sum() }, new[] { x }, retain_graph: true, create_graph: true)[0];
        Assert.Equal(new[] { 3.0, 12.0, 0.75 }, g.detach().data<double>().ToArray());
        Assert.Equal(new[] { 6.0, -12.0, 6.0 }, hv.detach().data<double>().ToArray());
    }

    [Fact]
    public void PackageCacheCopyIsByteIdenticalToThePackage()
    {
        var nupkg = Directory.GetFiles(PackageFolder(), "torchsharp.0.107.0.nupkg").Single();
        var cached = Path.Combine(PackageFolder(), "runtimes", "linux-x64", "native", ElfVersionNeeds.TorchSharpLibrary);
        using var zip = ZipFile.OpenRead(nupkg);
        var entry = zip.GetEntry($"runtimes/linux-x64/native/{ElfVersionNeeds.TorchSharpLibrary}")!;
        using var stream = entry.Open();
        using var original = new MemoryStream();
        stream.CopyTo(original);
        Assert.Equal(original.ToArray(), File.ReadAllBytes(cached));
        var need = ElfVersionNeeds.Read(original.ToArray()).Single(n => n.Version == ElfVersionNeeds.MissingVersion);
        Assert.False(need.IsWeak);
    }

    [Fact]
    public void MarkWeakChangesOnlyThatFlagAndIsIdempotent()
    {
        var source = Path.Combine(PackageFolder(), "runtimes", "linux-x64", "native", ElfVersionNeeds.TorchSharpLibrary);
        var copy = Path.Combine(Path.GetTempPath(), $"ll-elf-{Guid.NewGuid():N}.so");
        File.Copy(source, copy);
        try
        {
            var before = File.ReadAllBytes(copy);
            Assert.True(ElfVersionNeeds.MarkWeak(copy, ElfVersionNeeds.MissingVersion));
            var after = File.ReadAllBytes(copy);
            var differing = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
            Assert.Single(differing);
            var needs = ElfVersionNeeds.Read(after);
            Assert.True(needs.Single(n => n.Version == ElfVersionNeeds.MissingVersion).IsWeak);
            Assert.All(needs.Where(n => n.Version != ElfVersionNeeds.MissingVersion), n => Assert.False(n.IsWeak));
            Assert.False(ElfVersionNeeds.MarkWeak(copy, ElfVersionNeeds.MissingVersion));
            Assert.Equal(after, File.ReadAllBytes(copy));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    static string PackageFolder()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(root, "torchsharp", "0.107.0");
    }
}
