using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace LossLandscape.Runs.Sweeps;

/// <summary>Slurm settings beyond the spec's resources: array throttle, partition, automatic resubmissions, polling.</summary>
public sealed record SlurmOptions(int MaxParallel = 16, string? Partition = null, int Retries = 0, double PollSeconds = 5, bool Wait = true);

/// <summary>
/// Runs a sweep as Slurm job arrays: writes slurm/round-R.sbatch (<c>--array=INDICES%P</c>; each array task runs
/// <c>landscape sweep task DIR</c>, which reads <c>SLURM_ARRAY_TASK_ID</c>), submits it with sbatch, follows it with
/// squeue, and after it leaves the queue reads the tasks' markers: tasks without a done marker failed, whatever
/// Slurm says (a killed or timed-out task writes none). Failed tasks are reported with their state and exit code
/// from scontrol, and resubmitted alone, up to <see cref="SlurmOptions.Retries"/> times; a later
/// <c>landscape sweep</c> on the same folder submits only what is still unfinished. No accounting (sacct) is needed.
/// </summary>
public sealed class SlurmRunner
{
    readonly SweepDirectory sweep;
    readonly Launcher launcher;
    readonly SlurmOptions options;
    readonly Action<string> report;

    public SlurmRunner(SweepDirectory sweep, Launcher launcher, SlurmOptions options, Action<string> report)
    {
        if (options.MaxParallel < 1) throw new LandscapeException($"--max-parallel must be at least 1, got {options.MaxParallel}");
        if (options.Retries < 0) throw new LandscapeException($"--retries must be at least 0, got {options.Retries}");
        this.sweep = sweep;
        this.launcher = launcher;
        this.options = options;
        this.report = report;
    }

    string SlurmFolder => sweep.File("slurm");
    string JobsFile => Path.Combine(SlurmFolder, "jobs.csv");

    /// <summary>The job ids submitted for this sweep so far, with the indices of each, oldest first.</summary>
    public IReadOnlyList<(string JobId, int Round, string Array)> Submissions()
    {
        if (!File.Exists(JobsFile)) return Array.Empty<(string, int, string)>();
        return File.ReadAllLines(JobsFile).Skip(1).Select(l => l.Split(',', 3))
            .Select(p => (p[0], int.Parse(p[1], CultureInfo.InvariantCulture), p[2].Trim('"'))).ToList();
    }

    public SweepOutcome Run()
    {
        Directory.CreateDirectory(SlurmFolder);
        // A job of an earlier invocation that is still queued or running is followed, not duplicated.
        foreach (var (jobId, _, _) in Submissions())
            if (QueuedTasks(jobId).Count > 0)
            {
                report($"job {jobId} of this sweep is still in the queue; following it first");
                if (!options.Wait) return Outcome(0);
                Follow(jobId, sweep.Unfinished());
            }

        int skipped = sweep.Tasks.Count - sweep.Unfinished().Count;
        int round = Submissions().Count == 0 ? 0 : Submissions().Max(s => s.Round);
        for (int attempt = 0; attempt <= options.Retries; attempt++)
        {
            var todo = sweep.Unfinished();
            if (todo.Count == 0) break;
            round++;
            var script = WriteScript(todo, round);
            var jobId = Submit(script);
            var array = ArraySpec(todo.Select(t => t.Index));
            File.AppendAllText(JobsFile, (File.Exists(JobsFile) ? "" : "job_id,round,array\n") + $"{jobId},{round},\"{array}\"\n");
            report($"round {round}: submitted job {jobId} for {todo.Count} task(s) [{array}] ({script})");
            if (!options.Wait) return Outcome(skipped);
            Follow(jobId, todo);
            var failed = todo.Where(t => sweep.State(t) != TaskState.Done).ToList();
            if (failed.Count == 0) break;
            var slurmStates = TaskStates(jobId);
            foreach (var t in failed)
            {
                var marker = sweep.ReadMarker(t);
                var state = slurmStates.TryGetValue(t.Index, out var s) ? s : "unknown to scontrol";
                report($"task {t.Index} ({t.Folder}) failed: Slurm {state}" + (marker?.Message is { } m ? $"; {m}" : ""));
            }
            report(attempt < options.Retries
                ? $"resubmitting the {failed.Count} failed task(s) alone: {ArraySpec(failed.Select(t => t.Index))}"
                : $"failed indices: {ArraySpec(failed.Select(t => t.Index))}; run the same `landscape sweep` again to resubmit only those");
        }
        return Outcome(skipped);
    }

    SweepOutcome Outcome(int skipped)
    {
        var done = sweep.Tasks.Where(t => sweep.State(t) == TaskState.Done).Select(t => t.Index).ToList();
        return new SweepOutcome(done, sweep.Tasks.Select(t => t.Index).Except(done).ToList(), skipped);
    }

    /// <summary>Writes the sbatch array script for these tasks.</summary>
    public string WriteScript(IReadOnlyList<SweepTask> tasks, int round)
    {
        var resources = sweep.Spec.Resources;
        var root = Path.GetFullPath(sweep.Path);
        var script = new StringBuilder();
        script.AppendLine("#!/bin/bash");
        script.AppendLine($"#SBATCH --job-name=landscape-{sweep.Spec.Name}");
        script.AppendLine($"#SBATCH --array={ArraySpec(tasks.Select(t => t.Index))}%{options.MaxParallel}");
        script.AppendLine($"#SBATCH --cpus-per-task={resources.Threads}");
        script.AppendLine($"#SBATCH --time={resources.Time}");
        script.AppendLine($"#SBATCH --mem={resources.Memory}");
        script.AppendLine($"#SBATCH --output={Path.Combine(root, "logs", "slurm-%A_%a.log")}");
        if (options.Partition is { } partition) script.AppendLine($"#SBATCH --partition={partition}");
        script.AppendLine($"# Written by `landscape sweep` (round {round}): array task I runs task I of the sweep in {root}.");
        script.AppendLine("exec " + launcher.ShellCommand(new[] { "sweep", "task", root }) +
                          " --threads \"${SLURM_CPUS_PER_TASK:-1}\" --progress none");
        var path = Path.Combine(SlurmFolder, $"round-{round}.sbatch");
        AtomicFile.WriteAllText(path, script.ToString());
        return path;
    }

    string Submit(string script)
    {
        var r = External.Run("sbatch", "--parsable", script);
        if (r.ExitCode != 0) throw new LandscapeException($"sbatch refused the job: {External.FirstLine(r.Stderr + r.Stdout)}");
        return r.Stdout.Trim().Split(';')[0];
    }

    /// <summary>Waits until the job has left the queue, reporting progress from the markers as it changes.</summary>
    void Follow(string jobId, IReadOnlyList<SweepTask> tasks)
    {
        string last = "";
        var since = DateTimeOffset.UtcNow;
        while (true)
        {
            var queued = QueuedTasks(jobId);
            var markers = tasks.Select(sweep.ReadMarker).ToList();
            int done = markers.Count(m => m?.State == TaskState.Done);
            int failed = markers.Count(m => m?.State == TaskState.Failed && m.Finished >= since);
            int running = queued.Count(q => q.State == "RUNNING");
            var line = $"job {jobId}: {done}/{tasks.Count} done, {failed} failed, {running} running";
            if (line != last) report(line);
            last = line;
            if (queued.Count == 0) return;
            Thread.Sleep(TimeSpan.FromSeconds(options.PollSeconds));
        }
    }

    /// <summary>The job's array tasks still in the queue (pending ones may be folded into one line by squeue).</summary>
    static IReadOnlyList<(string Id, string State)> QueuedTasks(string jobId)
    {
        var r = External.Run("squeue", "-h", "-j", jobId, "-o", "%i %T");
        // squeue exits non-zero for a job id it no longer knows: the job has left the queue.
        if (r.ExitCode != 0) return Array.Empty<(string, string)>();
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : "")).ToList();
    }

    /// <summary>Slurm's final state and exit code per array index, as long as slurmctld still remembers the job.</summary>
    static Dictionary<int, string> TaskStates(string jobId)
    {
        var states = new Dictionary<int, string>();
        var r = External.Run("scontrol", "show", "job", "-o", jobId);
        if (r.ExitCode != 0) return states;
        foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=', 2)).Where(f => f.Length == 2)
                .GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.First()[1]);
            if (fields.TryGetValue("ArrayTaskId", out var id) && int.TryParse(id, out int index))
                states[index] = $"{fields.GetValueOrDefault("JobState", "?")}, exit code {fields.GetValueOrDefault("ExitCode", "?")}";
        }
        return states;
    }

    /// <summary>Indices as Slurm's --array wants them: 0-3,7,9-10.</summary>
    public static string ArraySpec(IEnumerable<int> indices)
    {
        var sorted = indices.Distinct().Order().ToList();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(',', parts);
    }
}

/// <summary>Runs a scheduler's command-line tool and captures what it says.</summary>
static class External
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new LandscapeException($"{program} did not start");
        }
        catch (Win32Exception)
        {
            throw new LandscapeException($"{program} not found: the slurm runner needs Slurm's client tools (sbatch, squeue, scontrol) on PATH");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new LandscapeException($"{program} {string.Join(' ', args)} did not answer within 2 minutes");
            }
            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    public static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "(no message)";
}
