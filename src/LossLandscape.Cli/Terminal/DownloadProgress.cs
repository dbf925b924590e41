using LossLandscape.Data;

namespace LossLandscape.Cli.Terminal;

/// <summary>Download progress: a line per file and a percentage every ~10% (on stderr, so stdout stays clean).</summary>
public static class DownloadProgress
{
    public static Action<FetchProgress>? For(ProgressMode mode)
    {
        if (mode == ProgressMode.None) return null;
        var lastDecile = new Dictionary<string, long>();
        return p =>
        {
            long decile = p.BytesTotal is > 0 ? p.BytesDone * 10 / p.BytesTotal.Value : -1;
            if (lastDecile.TryGetValue(p.File, out var last) && last == decile) return;
            lastDecile[p.File] = decile;
            Console.Error.WriteLine(p.BytesTotal is > 0
                ? $"downloading {p.File}: {p.BytesDone / 1048576.0:F1} of {p.BytesTotal / 1048576.0:F1} MiB ({decile * 10}%)"
                : $"downloading {p.File}: {p.BytesDone / 1048576.0:F1} MiB");
        };
    }
}
