using System.Net.Sockets;

namespace LossLandscape.Data;

/// <summary>Progress of one file's download; <see cref="BytesTotal"/> is null when the server does not say.</summary>
public sealed record FetchProgress(string File, long BytesDone, long? BytesTotal);

/// <summary>
/// Downloads a catalog dataset. Every file goes to a temporary name in the destination, is decompressed in
/// memory and checked against the catalog's SHA-256 of the decompressed data; only when all files check out
/// are they renamed into place. On any failure the temporaries are deleted, so the destination never holds a
/// half-written or unverified file.
/// </summary>
public static class Downloader
{
    static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Fetches the named dataset into <paramref name="destination"/> (default: the user cache); returns that folder.</summary>
    public static string Fetch(string name, string? destination = null, string? baseUrl = null,
        Action<FetchProgress>? progress = null, HttpMessageHandler? handler = null) =>
        Fetch(DatasetCatalog.Find(name), destination ?? DataSearchPaths.FromEnvironment().CacheFolder(DatasetCatalog.Find(name)),
            baseUrl, progress, handler);

    public static string Fetch(CatalogEntry entry, string destination, string? baseUrl = null,
        Action<FetchProgress>? progress = null, HttpMessageHandler? handler = null)
    {
        if (!entry.Downloadable)
            throw new LandscapeException($"{entry.Name} cannot be downloaded by this tool; {entry.ObtainHint ?? "obtain the files"} and put them into {destination}");
        baseUrl ??= entry.BaseUrlVariable is null ? null : Environment.GetEnvironmentVariable(entry.BaseUrlVariable);
        if (string.IsNullOrWhiteSpace(baseUrl))
            baseUrl = entry.BaseUrl!;
        if (!baseUrl.EndsWith('/'))
            baseUrl += "/";

        Directory.CreateDirectory(destination);
        using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.Timeout = RequestTimeout;
        var pending = new List<(string Temporary, string Final)>();
        try
        {
            foreach (var file in entry.Files)
            {
                var remoteName = entry.DiskNames(file).First();
                var final = Path.Combine(destination, remoteName);
                if (File.Exists(final) && Matches(file, DataFile.ReadAllBytes(final)))
                    continue;
                var temporary = Path.Combine(destination, $".{remoteName}.{Guid.NewGuid():N}.partial");
                pending.Add((temporary, final));
                var url = baseUrl + remoteName;
                Download(client, entry, url, temporary, remoteName, progress);
                Verify(file, DataFile.ReadAllBytes(temporary), url);
            }
            foreach (var (temporary, final) in pending)
                File.Move(temporary, final, overwrite: true);
            pending.Clear();
            return destination;
        }
        finally
        {
            foreach (var (temporary, _) in pending)
                File.Delete(temporary);
        }
    }

    static void Download(HttpClient client, CatalogEntry entry, string url, string temporary, string fileName, Action<FetchProgress>? progress)
    {
        try
        {
            using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
                throw new LandscapeException($"cannot download {entry.Name}: {url} answered {(int)response.StatusCode} {response.ReasonPhrase}; {DatasetLocator.Remedies(entry)}");
            long? total = response.Content.Headers.ContentLength;
            using var body = response.Content.ReadAsStream();
            using var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
            var buffer = new byte[1 << 16];
            long done = 0;
            int read;
            while ((read = body.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, read);
                done += read;
                progress?.Invoke(new FetchProgress(fileName, done, total));
            }
            if (total is long expected && done != expected)
                throw new LandscapeException($"cannot download {entry.Name}: {url} ended after {done} of {expected} bytes; {DatasetLocator.Remedies(entry)}");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException or IOException)
        {
            throw new LandscapeException($"cannot download {entry.Name} from {url} ({FirstLine(e.Message)}); {DatasetLocator.Remedies(entry)}", e);
        }
    }

    /// <summary>Checks the decompressed content against the catalog; a mismatch is a DataFormatException.</summary>
    public static void Verify(DatasetFileSpec file, byte[] content, string source)
    {
        var data = DataFile.IsGzip(content) ? DataFile.Gunzip(content, source) : content;
        if (file.Length is long length && data.Length != length)
            throw new DataFormatException(source, $"{file.Name} decompresses to {data.Length} bytes, expected {length}");
        if (file.Sha256 is string expected)
        {
            var actual = DataFile.Sha256Hex(data);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw new DataFormatException(source, $"SHA-256 of decompressed {file.Name} is {actual}, expected {expected}");
        }
    }

    static bool Matches(DatasetFileSpec file, byte[] content)
    {
        try
        {
            Verify(file, content, file.Name);
            return true;
        }
        catch (DataFormatException)
        {
            return false;
        }
    }

    static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
