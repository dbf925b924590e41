// Reads and edits the version requirements (.gnu.version_r) of an x86-64 ELF shared library.
//
// TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and so requires the
// symbol version GLIBCXX_3.4.32, which Debian 12 and Ubuntu 22.04 lack. The only symbol of that version
// it references is a link anchor that is never called, so marking the requirement weak (VER_FLG_WEAK)
// lets the dynamic loader accept the library. This file is compiled twice: into the library (for
// `landscape doctor` and the tests) and into the MSBuild task that patches the build output.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace LossLandscape.Native
{
    /// <summary>One entry of an ELF library's version requirements.</summary>
    public sealed class VersionNeed
    {
        public const ushort WeakFlag = 0x2;
        public VersionNeed(string file, string version, ushort flags, long flagsOffset)
        {
            File = file; Version = version; Flags = flags; FlagsOffset = flagsOffset;
        }
        public string File { get; }
        public string Version { get; }
        public ushort Flags { get; }
        public long FlagsOffset { get; }
        public bool IsWeak => (Flags & WeakFlag) != 0;
    }

    public static class ElfVersionNeeds
    {
        public const string TorchSharpLibrary = "libLibTorchSharp.so";
        public const string MissingVersion = "GLIBCXX_3.4.32";
        const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Lists every (file, version) requirement with its flags and where those flags live in the file.</summary>
        public static IReadOnlyList<VersionNeed> Read(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            long shoff = (long)U64(elf, 0x28);
            int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
            var needs = new List<VersionNeed>();
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (U32(elf, sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)U64(elf, sh + 0x18);
                uint link = U32(elf, sh + 0x28), count = U32(elf, sh + 0x2C);
                long strtab = (long)U64(elf, shoff + link * shentsize + 0x18);
                long vn = offset;
                for (uint n = 0; n < count; n++)
                {
                    ushort auxCount = U16(elf, vn + 2);
                    string file = CString(elf, strtab + U32(elf, vn + 4));
                    long aux = vn + U32(elf, vn + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        needs.Add(new VersionNeed(file, CString(elf, strtab + U32(elf, aux + 8)), U16(elf, aux + 4), aux + 4));
                        aux += U32(elf, aux + 12);
                    }
                    vn += U32(elf, vn + 12);
                }
            }
            return needs;
        }

        /// <summary>True when a shared library defines the given symbol version (looked up by its name string).</summary>
        public static bool Defines(byte[] library, string version)
        {
            var needle = Encoding.ASCII.GetBytes(version + "\0");
            for (int i = 0; i + needle.Length <= library.Length; i++)
            {
                int k = 0;
                while (k < needle.Length && library[i + k] == needle[k]) k++;
                if (k == needle.Length) return true;
            }
            return false;
        }

        /// <summary>The host's libstdc++, or null when none is found in the usual places.</summary>
        public static string? FindHostLibStdCxx()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            return candidates.FirstOrDefault(File.Exists);
        }

        /// <summary>True when the host lacks GLIBCXX_3.4.32 and so needs the patched library.</summary>
        public static bool HostNeedsPatch()
        {
            var host = FindHostLibStdCxx();
            return host is not null && !Defines(File.ReadAllBytes(host), MissingVersion);
        }

        /// <summary>
        /// Marks the requirement on <paramref name="version"/> weak in the file at <paramref name="path"/>.
        /// Writes a new file and renames it over the old one, so a hard link into a package cache is never
        /// written through. Returns false when there was nothing to do (already weak, or not required).
        /// </summary>
        public static bool MarkWeak(string path, string version)
        {
            var bytes = File.ReadAllBytes(path);
            var need = Read(bytes).FirstOrDefault(n => n.Version == version);
            if (need is null || need.IsWeak) return false;
            ushort flags = (ushort)(need.Flags | VersionNeed.WeakFlag);
            var temp = path + ".patching";
            File.Copy(path, temp, overwrite: true); // keeps the file mode; a new inode, so no hard link is written through
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
            {
                stream.Position = need.FlagsOffset;
                stream.WriteByte((byte)flags);
                stream.WriteByte((byte)(flags >> 8));
            }
            File.Delete(path);
            File.Move(temp, path);
            return true;
        }

        static ushort U16(byte[] b, long o) => (ushort)(b[o] | b[o + 1] << 8);
        static uint U32(byte[] b, long o) => (uint)(U16(b, o) | U16(b, o + 2) << 16);
        static ulong U64(byte[] b, long o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;

        static string CString(byte[] b, long o)
        {
            long end = o;
            while (b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }
    }
}
#if !LOSSLANDSCAPE_LIBRARY
namespace LossLandscape.Build
{
    /// <summary>MSBuild entry point: patches the copies of libLibTorchSharp.so under a build or publish folder.</summary>
    public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public string Folder { get; set; } = "";

        public override bool Execute()
        {
            if (!Directory.Exists(Folder)) return true;
            bool needed = LossLandscape.Native.ElfVersionNeeds.HostNeedsPatch();
            foreach (var file in Directory.EnumerateFiles(Folder, LossLandscape.Native.ElfVersionNeeds.TorchSharpLibrary, SearchOption.AllDirectories))
            {
                if (!needed) continue;
                if (LossLandscape.Native.ElfVersionNeeds.MarkWeak(file, LossLandscape.Native.ElfVersionNeeds.MissingVersion))
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"LossLandscape: marked {LossLandscape.Native.ElfVersionNeeds.MissingVersion} weak in {file} (host libstdc++ lacks it)");
            }
            return true;
        }
    }
}
#endif
