using LossLandscape.Native;

namespace LossLandscape;

/// <summary>Which native TorchSharp and libtorch libraries this process loaded, and whether the Debian 12 patch is in effect.</summary>
public sealed record NativeRuntimeInfo(string? TorchSharpLibrary, string? LibTorch, bool? TorchSharpPatched, bool HostHasGlibcxx3432)
{
    /// <summary>Reads /proc/self/maps; call after TorchSharp has loaded (after the first tensor).</summary>
    public static NativeRuntimeInfo Current()
    {
        string[] maps = File.Exists("/proc/self/maps") ? File.ReadAllLines("/proc/self/maps") : Array.Empty<string>();
        string? Find(string name) => maps.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(c => c.Length >= 6 && Path.GetFileName(c[^1]) == name).Select(c => c[^1]).FirstOrDefault();
        var sharp = Find(ElfVersionNeeds.TorchSharpLibrary);
        bool? patched = sharp is null || !File.Exists(sharp)
            ? null
            : ElfVersionNeeds.Read(File.ReadAllBytes(sharp)).FirstOrDefault(n => n.Version == ElfVersionNeeds.MissingVersion)?.IsWeak ?? false;
        var host = ElfVersionNeeds.FindHostLibStdCxx();
        return new NativeRuntimeInfo(sharp, Find("libtorch_cpu.so") ?? Find("libtorch.so"), patched,
            host is not null && ElfVersionNeeds.Defines(File.ReadAllBytes(host), ElfVersionNeeds.MissingVersion));
    }
}
