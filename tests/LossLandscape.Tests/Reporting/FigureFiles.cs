using System.Buffers.Binary;
using System.Xml.Linq;

namespace LossLandscape.Tests.Reporting;

/// <summary>
/// A folder for figures written by tests and checks that they are real images. Set
/// LOSSLANDSCAPE_KEEP_FIGURES to a folder to keep the figures there for a look.
/// </summary>
sealed class FigureFiles : IDisposable
{
    readonly string? keep = Environment.GetEnvironmentVariable("LOSSLANDSCAPE_KEEP_FIGURES");

    public FigureFiles()
    {
        Folder = string.IsNullOrEmpty(keep)
            ? Directory.CreateTempSubdirectory("figure-tests-").FullName
            : Directory.CreateDirectory(keep).FullName;
    }

    public string Folder { get; }

    public string BasePath(string name) => Path.Combine(Folder, name);

    public void Dispose()
    {
        if (string.IsNullOrEmpty(keep)) Directory.Delete(Folder, recursive: true);
    }

    /// <summary>Asserts a PNG signature and an IHDR chunk declaring the given size.</summary>
    public static void AssertPng(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path} is only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>Asserts the file parses as XML with an &lt;svg&gt; root and returns its text.</summary>
    public static string AssertSvg(string path)
    {
        var text = File.ReadAllText(path);
        var doc = XDocument.Parse(text);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        return text;
    }

    /// <summary>The text of every &lt;text&gt; element in the SVG: titles, axis labels, tick labels, legend entries.</summary>
    public static IReadOnlyList<string> SvgTexts(string path) =>
        XDocument.Load(path).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToList();
}
