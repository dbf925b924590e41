using System.CommandLine;
using System.Runtime.InteropServices;
using LossLandscape.Runs.Sweeps;

namespace LossLandscape.Cli.Commands;

public enum RunnerKind { Local, Slurm, Kubernetes }

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
    static readonly Option<RunnerKind> Runner = new("--runner") { Description = "local (a process pool), slurm (sbatch job arrays) or kubernetes (writes an Indexed Job manifest)", DefaultValueFactory = _ => RunnerKind.Local };
    static readonly Option<int> Jobs = new("--jobs", "-j") { Description = "local: tasks at a time; each gets cores / jobs threads unless --threads says", DefaultValueFactory = _ => 1 };
    static readonly Option<int> MaxParallel = new("--max-parallel") { Description = "slurm: array throttle (%P); kubernetes: parallelism", DefaultValueFactory = _ => 16 };
    static readonly Option<string?> Partition = new("--partition") { Description = "slurm: partition to submit to" };
    static readonly Option<int> Retries = new("--retries") { Description = "slurm: resubmit failed tasks alone up to this many times", DefaultValueFactory = _ => 0 };
    static readonly Option<double> Poll = new("--poll") { Description = "slurm: seconds between squeue polls", DefaultValueFactory = _ => 5.0 };
    static readonly Option<bool> NoWait = new("--no-wait") { Description = "slurm: submit and return; follow with `landscape sweep status`" };
    static readonly Option<string?> Image = new("--image") { Description = "kubernetes: container image with `landscape` on its PATH" };
    static readonly Option<string?> Claim = new("--claim") { Description = "kubernetes: PersistentVolumeClaim that holds the sweep folder" };
    static readonly Option<string?> Namespace = new("--namespace") { Description = "kubernetes: namespace of the Job" };
    static readonly Option<int?> Index = new("--index") { Description = "task index (default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)" };

    public static Command Create()
    {
        var sweep = new Command("sweep", "Run a grid of landscape commands as numbered, idempotent tasks: locally, on Slurm or on Kubernetes.")
        {
            Spec, Out, Runner, Jobs, MaxParallel, Partition, Retries, Poll, NoWait, Image, Claim, Namespace,
        };
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
        var launcher = Launcher.ForCurrentProcess();
        SweepOutcome outcome;
        switch (p.GetValue(Runner))
        {
            case RunnerKind.Kubernetes:
                var manifest = KubernetesJob.Write(sweep, new KubernetesOptions(p.GetValue(Image) ?? "", p.GetValue(Claim) ?? "", p.GetValue(MaxParallel), Namespace: p.GetValue(Namespace)));
                Console.WriteLine($"{sweep.Spec.Name}: {sweep.Tasks.Count} tasks ({sweep.Unfinished().Count} unfinished); Indexed Job manifest written to {manifest}");
                Console.WriteLine($"copy {sweep.Path} onto the claim, then: kubectl apply -f {manifest}");
                return ExitCodes.Success;
            case RunnerKind.Slurm:
                outcome = new SlurmRunner(sweep, launcher,
                    new SlurmOptions(p.GetValue(MaxParallel), p.GetValue(Partition), p.GetValue(Retries), p.GetValue(Poll), !p.GetValue(NoWait)),
                    Console.WriteLine).Run();
                if (p.GetValue(NoWait)) return ExitCodes.Success;
                break;
            default:
                int jobs = p.GetValue(Jobs);
                int threads = p.GetValue(GlobalOptions.Threads) ?? LocalRunner.DefaultThreads(jobs);
                using (var cancel = new CancellationTokenSource())
                using (StopOnSignals(cancel))
                {
                    try
                    {
                        outcome = new LocalRunner(sweep, launcher, jobs, threads, Console.WriteLine).Run(cancel.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        Console.Error.WriteLine($"landscape: sweep interrupted; done tasks are kept, rerun the same command to finish {sweep.Path}");
                        return ExitCodes.Interrupted;
                    }
                }
                break;
        }
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

    /// <summary>Ctrl+C and SIGTERM stop the local runner's children and leave done tasks in place.</summary>
    static IDisposable StopOnSignals(CancellationTokenSource cancel)
    {
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }
        var registrations = new[] { PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler) };
        return new Disposables(registrations);
    }

    sealed class Disposables(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
        }
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
