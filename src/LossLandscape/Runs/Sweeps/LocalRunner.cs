using System.Diagnostics;

namespace LossLandscape.Runs.Sweeps;

/// <summary>What a runner achieved: the tasks done (including those done before) and those that failed, by index.</summary>
public sealed record SweepOutcome(IReadOnlyList<int> Done, IReadOnlyList<int> Failed, int Skipped)
{
    public bool Success => Failed.Count == 0;
}

/// <summary>
/// Runs a sweep's unfinished tasks on this machine, <c>jobs</c> at a time, each in its own process
/// (<c>landscape sweep task DIR --index I</c>) so that a native abort costs one task, not the sweep.
/// Each task's console output is appended to logs/&lt;folder&gt;.log.
/// </summary>
public sealed class LocalRunner
{
    readonly SweepDirectory sweep;
    readonly Launcher launcher;
    readonly int jobs;
    readonly int threadsPerTask;
    readonly Action<string> report;
    readonly List<Process> running = new();

    public LocalRunner(SweepDirectory sweep, Launcher launcher, int jobs, int threadsPerTask, Action<string> report)
    {
        if (jobs < 1) throw new LandscapeException($"--jobs must be at least 1, got {jobs}");
        if (threadsPerTask < 1) throw new LandscapeException($"threads per task must be at least 1, got {threadsPerTask}");
        this.sweep = sweep;
        this.launcher = launcher;
        this.jobs = jobs;
        this.threadsPerTask = threadsPerTask;
        this.report = report;
    }

    /// <summary>Threads per task when <paramref name="jobs"/> tasks share this machine's cores.</summary>
    public static int DefaultThreads(int jobs) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, jobs));

    public SweepOutcome Run(CancellationToken cancel = default)
    {
        var todo = sweep.Unfinished();
        int skipped = sweep.Tasks.Count - todo.Count;
        report($"{sweep.Spec.Name}: {sweep.Tasks.Count} tasks, {skipped} already done, {todo.Count} to run, {jobs} at a time with {threadsPerTask} thread(s) each");
        using var stop = cancel.Register(KillAll);
        int finished = 0;
        Parallel.ForEach(todo, new ParallelOptions { MaxDegreeOfParallelism = jobs }, task =>
        {
            if (cancel.IsCancellationRequested) return;
            int exitCode = RunOne(task);
            int n = Interlocked.Increment(ref finished);
            var marker = sweep.ReadMarker(task);
            report(exitCode == 0 && marker?.State == TaskState.Done
                ? $"[{n}/{todo.Count}] task {task.Index} ({task.Folder}) done in {marker.Seconds:F1} s"
                : $"[{n}/{todo.Count}] task {task.Index} ({task.Folder}) FAILED (exit {exitCode}){(marker?.Message is { } m ? ": " + m : "")}; log {sweep.LogFile(task)}");
        });
        cancel.ThrowIfCancellationRequested();
        var done = sweep.Tasks.Where(t => sweep.State(t) == TaskState.Done).Select(t => t.Index).ToList();
        var failed = sweep.Tasks.Select(t => t.Index).Except(done).ToList();
        return new SweepOutcome(done, failed, skipped);
    }

    int RunOne(SweepTask task)
    {
        var before = sweep.ReadMarker(task);
        var info = launcher.StartInfo(new[]
        {
            "sweep", "task", sweep.Path, "--index", task.Index.ToString(), "--threads", threadsPerTask.ToString(), "--progress", "none",
        });
        using var log = new StreamWriter(sweep.LogFile(task), append: true) { AutoFlush = true };
        var gate = new object();
        void Write(string? line)
        {
            if (line is null) return;
            lock (gate) log.WriteLine(line);
        }
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Start();
        lock (running) running.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        lock (running) running.Remove(process);
        int exitCode = process.ExitCode;
        // A process that died without a marker (a native abort, a kill) still leaves a failed one.
        var after = sweep.ReadMarker(task);
        if (exitCode != 0 && (after is null || after.Finished == before?.Finished))
            sweep.WriteMarker(new TaskMarker(task.Index, task.Folder, TaskState.Failed, exitCode, 0, (before?.Attempt ?? 0) + 1,
                Environment.MachineName, "local", DateTimeOffset.UtcNow, $"the task process ended with exit code {exitCode} without a result"));
        return exitCode;
    }

    void KillAll()
    {
        lock (running)
            foreach (var p in running)
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }
}
