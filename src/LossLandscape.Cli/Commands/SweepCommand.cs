using System.CommandLine;
using LossLandscape.Runs.Sweeps;

namespace LossLandscape.Cli.Commands;

/// <summary>
/// `landscape sweep SPEC`: expands a grid spec into numbered, idempotent tasks and runs them on a local process pool,
/// a Slurm job array or a Kubernetes Indexed Job; `sweep status`, `sweep collect`, and `sweep task` (what each
/// scheduler runs for one index).
/// </summary>
public static class SweepCommand
{
    static readonly Argument<string> Spec = new("spec") { Description = "sweep spec, YAML or JSON: command, args, grid, resources" };
    static readonly Argument<string> Folder = new("folder") { Description = "the sweep folder (holds sweep.json)" };
    static readonly Option<string?> Out = new("--out", "-o") { Description = "sweep folder (default: sweeps/<name>); rerunning on it skips done tasks" };
    static readonly Option<int?> Index = new("--index") { Description = "task index (default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)" };

    public static Command Create()
    {
        var sweep = new Command("sweep", "Run a grid of landscape commands as numbered, idempotent tasks: locally, on Slurm or on Kubernetes.")
        {
            Spec, Out,
        };
        RunnerOptions.AddTo(sweep);
        sweep.SetAction(RunSweep);

        var status = new Command("status", "Count done, failed, running and pending tasks; list the ones not done.") { Folder };
        status.SetAction(Status);
        var collect = new Command("collect", "Write summary.csv: every task's parameters and final numbers.") { Folder };
        collect.SetAction(Collect);
        var task = new Command("task", "Run one task of a sweep (what the schedulers run); skips it when done.") { Folder, Index };
        task.SetAction(RunTask);
        sweep.Add(status);
        sweep.Add(collect);
        sweep.Add(task);
        return sweep;
    }

    static int RunSweep(ParseResult p)
    {
        var spec = SweepSpec.Load(p.GetValue(Spec)!);
        var sweep = SweepDirectory.CreateOrOpen(p.GetValue(Out) ?? Path.Combine("sweeps", spec.Name), spec);
        var outcome = RunnerOptions.Run(sweep, p);
        if (outcome is null) return ExitCodes.Success;
        Console.WriteLine($"{sweep.Spec.Name}: {outcome.Done.Count}/{sweep.Tasks.Count} tasks done" +
                          (outcome.Success ? "" : $", failed: {SlurmRunner.ArraySpec(outcome.Failed)} (logs in {Path.Combine(sweep.Path, "logs")}; rerun to retry only those)"));
        return outcome.Success ? ExitCodes.Success : ExitCodes.TasksFailed;
    }

    static int Status(ParseResult p)
    {
        var sweep = SweepDirectory.Open(p.GetValue(Folder)!);
        var states = sweep.Tasks.Select(t => (Task: t, State: sweep.State(t))).ToList();
        Console.WriteLine($"{sweep.Spec.Name}: {sweep.Tasks.Count} tasks: " +
                          string.Join(", ", Enum.GetValues<TaskState>().Select(s => $"{states.Count(x => x.State == s)} {s.ToString().ToLowerInvariant()}")));
        foreach (var (task, state) in states.Where(x => x.State != TaskState.Done))
        {
            var marker = sweep.ReadMarker(task);
            Console.WriteLine($"  {task.Index,5}  {state.ToString().ToLowerInvariant(),-8} {task.Folder}" +
                              (state == TaskState.Failed && marker is not null ? $"  attempt {marker.Attempt}, exit {marker.ExitCode}: {marker.Message}" : ""));
        }
        return ExitCodes.Success;
    }

    static int Collect(ParseResult p)
    {
        var sweep = SweepDirectory.Open(p.GetValue(Folder)!);
        var (path, rows, done) = SweepSummary.Write(sweep);
        Console.WriteLine($"{path}: {rows} tasks, {done} done");
        return ExitCodes.Success;
    }

    static int RunTask(ParseResult p)
    {
        var sweep = SweepDirectory.Open(p.GetValue(Folder)!);
        int index = SweepTaskExecutor.ResolveIndex(p.GetValue(Index));
        var extra = new List<string> { "--progress", p.GetValue(GlobalOptions.Progress).ToString().ToLowerInvariant() };
        if (p.GetValue(GlobalOptions.Threads) is { } threads) extra.AddRange(new[] { "--threads", threads.ToString() });
        if (p.GetResult(GlobalOptions.Device) is { Implicit: false }) extra.AddRange(new[] { "--device", p.GetValue(GlobalOptions.Device)! });
        var stderr = new LastLineWriter(Console.Error);
        Console.SetError(stderr);
        return SweepTaskExecutor.Run(sweep, index, extra, LandscapeCli.Run, () => stderr.LastLine);
    }

    /// <summary>Passes everything through and remembers the last non-empty line, for a failed task's marker.</summary>
    sealed class LastLineWriter(TextWriter inner) : TextWriter
    {
        readonly System.Text.StringBuilder current = new();
        public string? LastLine { get; private set; }
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            inner.Write(value);
            if (value == '\n')
            {
                if (current.ToString().Trim() is { Length: > 0 } line) LastLine = line;
                current.Clear();
            }
            else current.Append(value);
        }

        public override void Write(string? value)
        {
            if (value is null) return;
            foreach (char c in value) Write(c);
        }

        public override void Flush() => inner.Flush();
    }
}
