using System.Net;
using System.Net.Sockets;
using LossLandscape.Data;

namespace LossLandscape.Tests.Data;

/// <summary>An HTTP server on a free loopback port serving fixed bodies by file name; 404 otherwise.</summary>
sealed class LoopbackServer : IDisposable
{
    readonly HttpListener listener = new();
    readonly Dictionary<string, byte[]> files;
    readonly Task loop;

    public LoopbackServer(Dictionary<string, byte[]> files)
    {
        this.files = files;
        Port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(Serve);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}/";
    public int Requests;

    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            Interlocked.Increment(ref Requests);
            var name = context.Request.Url!.AbsolutePath.TrimStart('/');
            if (files.TryGetValue(name, out var body))
            {
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
            }
            else
                context.Response.StatusCode = 404;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try { loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}

public class DownloaderTests
{
    const string SystemFolder = "/usr/share/datasets/fashion-mnist";

    static Dictionary<string, byte[]> RealFiles() =>
        Directory.GetFiles(SystemFolder, "*.gz").ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    [Fact]
    public void DownloadsAndVerifiesRealFilesFromLoopbackServer()
    {
        Assert.True(Directory.Exists(SystemFolder), $"this test needs the Debian package dataset-fashion-mnist ({SystemFolder})");
        using var server = new LoopbackServer(RealFiles());
        using var dir = new TempFolder();
        var destination = dir.File("fm");
        var seen = new HashSet<string>();

        var folder = Downloader.Fetch("fashion-mnist", destination, server.BaseUrl, p => seen.Add(p.File));

        Assert.Equal(destination, folder);
        Assert.Equal(4, seen.Count);
        Assert.Equal(RealFiles().Keys.Order(), Directory.GetFiles(destination).Select(Path.GetFileName).Order());
        foreach (var file in DatasetCatalog.FashionMnist.Files)
            Downloader.Verify(file, File.ReadAllBytes(Path.Combine(destination, file.Name + ".gz")), file.Name);

        // Verified files already in place are not downloaded again.
        int before = server.Requests;
        Downloader.Fetch("fashion-mnist", destination, server.BaseUrl);
        Assert.Equal(before, server.Requests);
    }

    [Fact]
    public void LoadWithDownloadAllowedFetchesIntoTheCacheThenReads()
    {
        Assert.True(Directory.Exists(SystemFolder), $"this test needs the Debian package dataset-fashion-mnist ({SystemFolder})");
        // MNIST files have the same names and sizes; the Fashion-MNIST bytes stand in for them here.
        using var server = new LoopbackServer(RealFiles());
        using var dir = new TempFolder();
        var paths = new DataSearchPaths(null, null, dir.File("cache"), IncludeSystemFolders: false);
        var progress = 0;

        using var split = DataCatalog.Load("mnist", paths, new DataLoadOptions(AllowDownload: true, Progress: _ => progress++, BaseUrl: server.BaseUrl));

        Assert.Equal(60000, split.Train.Count);
        Assert.Equal(10000, split.Test.Count);
        Assert.True(progress > 0);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(dir.File("cache"), "mnist"), "*.gz").Length);
        var description = DataCatalog.Describe("mnist", paths);
        Assert.Equal("user cache", description.FoundVia);
        Assert.All(description.Files, f => Assert.Equal(HashCheck.Unknown, f.Hash));
        Assert.False(description.HashesVerified);
    }

    [Fact]
    public void CorruptedFileIsRejectedAndNothingIsLeftBehind()
    {
        Assert.True(Directory.Exists(SystemFolder), $"this test needs the Debian package dataset-fashion-mnist ({SystemFolder})");
        var files = RealFiles();
        // A well-formed gzip whose content differs in one label: only the hash can notice.
        var labels = LossLandscape.Data.DataFile.ReadAllBytes(Path.Combine(SystemFolder, "t10k-labels-idx1-ubyte.gz"));
        labels[100] = (byte)((labels[100] + 1) % 10);
        files["t10k-labels-idx1-ubyte.gz"] = IdxFiles.Gzip(labels);
        using var server = new LoopbackServer(files);
        using var dir = new TempFolder();
        var destination = dir.File("fm");

        var e = Assert.Throws<DataFormatException>(() => Downloader.Fetch("fashion-mnist", destination, server.BaseUrl));

        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains(DatasetCatalog.FashionMnist.Files.Single(f => f.Name == "t10k-labels-idx1-ubyte").Sha256!, e.Message);
        Assert.Contains(LossLandscape.Data.DataFile.Sha256Hex(labels), e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(destination));
    }

    [Fact]
    public void MissingFileOnServerIsAUserErrorAndLeavesNothing()
    {
        using var server = new LoopbackServer([]);
        using var dir = new TempFolder();
        var e = Assert.Throws<LandscapeException>(() => Downloader.Fetch("fashion-mnist", dir.File("fm"), server.BaseUrl));
        Assert.Contains("404", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.File("fm")));
    }

    [Fact]
    public void UnreachableServerNamesBothRemediesOnOneLine()
    {
        int port = LoopbackServer.FreePort();
        using var dir = new TempFolder();
        var e = Assert.Throws<LandscapeException>(() => Downloader.Fetch("fashion-mnist", dir.File("fm"), $"http://127.0.0.1:{port}/"));
        Assert.IsNotType<DataFormatException>(e);
        Assert.Contains("landscape data fetch fashion-mnist", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains($"127.0.0.1:{port}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.File("fm")));
    }
}
