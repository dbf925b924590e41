using System.Text.RegularExpressions;
using LossLandscape.Native;

namespace LossLandscape;

/// <summary>
/// Which native TorchSharp and libtorch libraries this process loaded, and whether the Debian 12 patch is in effect.
/// <paramref name="LibTorch"/> is the loaded libtorch_cpu.so (every libtorch build has one); <paramref name="LibTorchCuda"/>
/// the loaded libtorch_cuda.so, present only when a CUDA libtorch was loaded and its CUDA part initialised.
/// <paramref name="LibTorchFolders"/> lists every folder that a loaded libtorch*.so or libc10*.so came from: more than one
/// means two builds are mixed in one process (e.g. the app's own CPU copies beside PyTorch's on LD_LIBRARY_PATH).
/// </summary>
public sealed record NativeRuntimeInfo(string? TorchSharpLibrary, string? LibTorch, string? LibTorchCuda, bool? TorchSharpPatched, bool HostHasGlibcxx3432,
    IReadOnlyList<string> LibTorchFolders)
{
    public const string CudaLibrary = "libtorch_cuda.so";

    /// <summary>Reads /proc/self/maps; call after TorchSharp has loaded (after the first tensor).</summary>
    public static NativeRuntimeInfo Current()
    {
        var loaded = LoadedFiles();
        string? Find(string name) => loaded.FirstOrDefault(f => Path.GetFileName(f) == name);
        var sharp = Find(ElfVersionNeeds.TorchSharpLibrary);
        bool? patched = sharp is null || !File.Exists(sharp)
            ? null
            : ElfVersionNeeds.Read(File.ReadAllBytes(sharp)).FirstOrDefault(n => n.Version == ElfVersionNeeds.MissingVersion)?.IsWeak ?? false;
        var host = ElfVersionNeeds.FindHostLibStdCxx();
        var folders = loaded.Where(IsLibTorchPart).Select(f => Path.GetDirectoryName(f)!).Distinct().Order(StringComparer.Ordinal).ToList();
        return new NativeRuntimeInfo(sharp, Find("libtorch_cpu.so") ?? Find("libtorch.so"), Find(CudaLibrary), patched,
            host is not null && ElfVersionNeeds.Defines(File.ReadAllBytes(host), ElfVersionNeeds.MissingVersion), folders);
    }

    /// <summary>
    /// The libtorch this process computes with, for run records: the PyTorch release it belongs to, else its folder
    /// (cheap: reads only /proc/self/maps); null before TorchSharp has loaded.
    /// </summary>
    public static string? DescribeLoadedLibTorch()
    {
        var loaded = LoadedFiles();
        var cpu = loaded.FirstOrDefault(f => Path.GetFileName(f) == "libtorch_cpu.so");
        if (cpu is null) return null;
        var folder = Path.GetDirectoryName(cpu)!;
        bool cuda = loaded.Any(f => Path.GetFileName(f) == CudaLibrary);
        return (DescribePyTorch(folder) ?? folder) + (cuda ? " (CUDA loaded)" : "");
    }

    /// <summary>Paths of the files mapped into this process, in the order of /proc/self/maps, each once.</summary>
    static List<string> LoadedFiles()
    {
        if (!File.Exists("/proc/self/maps")) return new List<string>();
        return File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(c => c.Length >= 6 && c[^1].StartsWith('/')).Select(c => c[^1]).Distinct().ToList();
    }

    static bool IsLibTorchPart(string path)
    {
        var name = Path.GetFileName(path);
        return (name.StartsWith("libtorch", StringComparison.Ordinal) || name.StartsWith("libc10", StringComparison.Ordinal))
               && name.Contains(".so", StringComparison.Ordinal);
    }

    /// <summary>The folder the loaded libtorch came from.</summary>
    public string? LibTorchFolder => LibTorch is null ? null : Path.GetDirectoryName(LibTorch);

    /// <summary>Whether the loaded libtorch's folder holds a libtorch_cuda.so, i.e. whether it is a CUDA build at all.</summary>
    public bool FolderHasCudaLibrary => LibTorchFolder is { } folder && File.Exists(Path.Combine(folder, CudaLibrary));

    /// <summary>"PyTorch 2.11.0+cu130, CUDA 13.0" when the loaded libtorch is the torch/lib folder of a PyTorch installation.</summary>
    public string? PyTorchRelease => LibTorchFolder is { } folder ? DescribePyTorch(folder) : null;

    /// <summary>
    /// Reads the torch/version.py beside a torch/lib folder (PyTorch writes its version and the CUDA version it was
    /// built for there); null when the folder is not inside a PyTorch installation.
    /// </summary>
    public static string? DescribePyTorch(string libFolder)
    {
        var file = Path.Combine(libFolder, "..", "version.py");
        if (!File.Exists(file)) return null;
        var text = File.ReadAllText(file);
        string? Value(string name) =>
            Regex.Match(text, $@"^{name}\s*(?::[^=\n]*)?=\s*['""]([^'""]+)['""]", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;
        var version = Value("__version__");
        if (version is null) return null;
        var cuda = Value("cuda");
        return $"PyTorch {version}, " + (cuda is null ? "built without CUDA" : $"CUDA {cuda}");
    }
}
