using LossLandscape.Data;
using Spectre.Console;

namespace LossLandscape.Cli.Terminal;

/// <summary>
/// Download progress: on a terminal a live bar per file with size and speed; when redirected a line per file
/// and every ~10% on stderr (stdout stays clean); nothing with --progress none.
/// </summary>
public static class DownloadProgress
{
    public static T Run<T>(ProgressMode mode, Func<Action<FetchProgress>?, T> work)
    {
        if (mode == ProgressMode.None) return work(null);
        if (!ProgressModes.IsLive(mode)) return work(Lines());
        T result = default!;
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = work(p =>
                {
                    if (!tasks.TryGetValue(p.File, out var task)) tasks[p.File] = task = ctx.AddTask(Markup.Escape(p.File));
                    task.MaxValue = p.BytesTotal ?? Math.Max(p.BytesDone, 1);
                    task.Value = p.BytesDone;
                });
            });
        return result;
    }

    static Action<FetchProgress> Lines()
    {
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
