using System.Diagnostics;

namespace LossLandscape.Runs.Sweeps;

/// <summary>
/// Runs one task of a sweep in the current process, the same way on every runner (local child process, Slurm array
/// task, Kubernetes Indexed Job pod): skip it when done, take its lock, run its command with --out set to the task's
/// folder (a half-finished train run resumes from its last committed epoch there), then write the done or failed marker.
/// </summary>
public static class SweepTaskExecutor
{
    /// <summary>Environment variables that carry the task index on the schedulers we run on.</summary>
    public static readonly string[] IndexVariables = { "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX" };

    /// <summary>The task index: the given one, else the first of <see cref="IndexVariables"/> that is set.</summary>
    public static int ResolveIndex(int? given)
    {
        if (given is { } i) return i;
        foreach (var name in IndexVariables)
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
                return int.TryParse(value, out int parsed) ? parsed : throw new LandscapeException($"${name}='{value}' is not a task index");
        throw new LandscapeException($"no task index: give --index or set one of {string.Join(", ", IndexVariables.Select(v => "$" + v))}");
    }

    /// <summary>The runner's name for markers: slurm, kubernetes or local.</summary>
    public static string RunnerName() =>
        Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID") is { Length: > 0 } ? "slurm"
        : Environment.GetEnvironmentVariable("JOB_COMPLETION_INDEX") is { Length: > 0 } ? "kubernetes"
        : "local";

    /// <param name="sweep">the sweep</param>
    /// <param name="index">the task</param>
    /// <param name="extraArgs">options added to the task's command line (threads, progress)</param>
    /// <param name="invoke">runs a landscape command line and returns its exit code</param>
    /// <param name="lastError">the last line the command wrote to stderr, for the failed marker</param>
    public static int Run(SweepDirectory sweep, int index, IReadOnlyList<string> extraArgs, Func<string[], int> invoke, Func<string?> lastError)
    {
        var task = sweep.Task(index);
        using var taskLock = WaitForLock(sweep, task);
        // Read after taking the lock: a process that held it may just have finished the task.
        var previous = sweep.ReadMarker(task);
        if (previous?.State == TaskState.Done)
        {
            Console.WriteLine($"task {index} ({task.Folder}) is already done");
            return 0;
        }

        var args = task.Arguments.Concat(new[] { "--out", sweep.TaskFolder(task) }).Concat(extraArgs).ToArray();
        Console.WriteLine($"task {index} ({task.Folder}), attempt {(previous?.Attempt ?? 0) + 1}: landscape {string.Join(' ', args)}");
        var clock = Stopwatch.StartNew();
        int exitCode;
        string? message = null;
        try
        {
            exitCode = invoke(args);
        }
        catch (Exception e)
        {
            exitCode = 1;
            message = e.Message.Split('\n', 2)[0];
            Console.Error.WriteLine(e);
        }
        message ??= exitCode == 0 ? null : lastError();
        sweep.WriteMarker(new TaskMarker(index, task.Folder, exitCode == 0 ? TaskState.Done : TaskState.Failed, exitCode,
            Math.Round(clock.Elapsed.TotalSeconds, 3), (previous?.Attempt ?? 0) + 1, Environment.MachineName, RunnerName(),
            DateTimeOffset.UtcNow, message));
        return exitCode;
    }

    /// <summary>Takes the task's lock, waiting while another process (a duplicate submission, an orphan of a killed runner) holds it.</summary>
    static IDisposable WaitForLock(SweepDirectory sweep, SweepTask task)
    {
        bool told = false;
        while (true)
        {
            if (sweep.TryLock(task) is { } taken) return taken;
            if (!told) Console.WriteLine($"task {task.Index} ({task.Folder}) is running in another process; waiting for it");
            told = true;
            Thread.Sleep(200);
        }
    }
}
