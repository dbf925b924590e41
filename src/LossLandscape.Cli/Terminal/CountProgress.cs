using Spectre.Console;

namespace LossLandscape.Cli.Terminal;

/// <summary>Progress over a known number of items (grid points, path points): a live bar on a terminal, a line every ~10% otherwise.</summary>
public sealed class CountProgress
{
    readonly ProgressMode mode;
    public CountProgress(ProgressMode mode) => this.mode = mode;

    public T Run<T>(string title, Func<Action<int, int>, T> work)
    {
        if (ProgressModes.IsLive(mode))
        {
            T result = default!;
            AnsiConsole.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title));
                    result = work((done, total) =>
                    {
                        task.MaxValue = Math.Max(1, total);
                        task.Value = done;
                    });
                });
            return result;
        }
        int lastDecile = -1;
        return work((done, total) =>
        {
            if (mode == ProgressMode.None || total == 0) return;
            int decile = done * 10 / total;
            if (decile == lastDecile) return;
            lastDecile = decile;
            Console.WriteLine($"{title}: {done}/{total}");
        });
    }
}
