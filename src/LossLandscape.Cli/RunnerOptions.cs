using System.CommandLine;
using System.Runtime.InteropServices;
using LossLandscape.Runs.Sweeps;

namespace LossLandscape.Cli;

public enum RunnerKind { Local, Slurm, Kubernetes }

/// <summary>Where a sweep's tasks run (local pool, Slurm, Kubernetes) and how: the options of every command that trains through sweeps.</summary>
public static class RunnerOptions
{
    public static readonly Option<RunnerKind> Runner = new("--runner") { Description = "local (a process pool), slurm (sbatch job arrays) or kubernetes (writes an Indexed Job manifest)", DefaultValueFactory = _ => RunnerKind.Local };
    public static readonly Option<int> Jobs = new("--jobs", "-j") { Description = "local: tasks at a time; each gets cores / jobs threads unless --threads says", DefaultValueFactory = _ => 1 };
    public static readonly Option<int> MaxParallel = new("--max-parallel") { Description = "slurm: array throttle (%P); kubernetes: parallelism", DefaultValueFactory = _ => 16 };
    public static readonly Option<string?> Partition = new("--partition") { Description = "slurm: partition to submit to" };
    public static readonly Option<int> Retries = new("--retries") { Description = "slurm: resubmit failed tasks alone up to this many times", DefaultValueFactory = _ => 0 };
    public static readonly Option<double> Poll = new("--poll") { Description = "slurm: seconds between squeue polls", DefaultValueFactory = _ => 5.0 };
    public static readonly Option<bool> NoWait = new("--no-wait") { Description = "slurm: submit and return; follow with `landscape sweep status`" };
    public static readonly Option<string?> Image = new("--image") { Description = "kubernetes: container image with `landscape` on its PATH" };
    public static readonly Option<string?> Claim = new("--claim") { Description = "kubernetes: PersistentVolumeClaim that holds the sweep folder" };
    public static readonly Option<string?> Namespace = new("--namespace") { Description = "kubernetes: namespace of the Job" };

    public static void AddTo(Command command)
    {
        foreach (var o in new Option[] { Runner, Jobs, MaxParallel, Partition, Retries, Poll, NoWait, Image, Claim, Namespace }) command.Add(o);
    }

    /// <summary>Runs (or, for Kubernetes and --no-wait, prepares) the sweep's unfinished tasks; null when nothing ran here to completion.</summary>
    public static SweepOutcome? Run(SweepDirectory sweep, ParseResult p)
    {
        var launcher = Launcher.ForCurrentProcess();
        switch (p.GetValue(Runner))
        {
            case RunnerKind.Kubernetes:
                var manifest = KubernetesJob.Write(sweep, new KubernetesOptions(p.GetValue(Image) ?? "", p.GetValue(Claim) ?? "", p.GetValue(MaxParallel), Namespace: p.GetValue(Namespace)));
                Console.WriteLine($"{sweep.Spec.Name}: {sweep.Tasks.Count} tasks ({sweep.Unfinished().Count} unfinished); Indexed Job manifest written to {manifest}");
                Console.WriteLine($"copy {sweep.Path} onto the claim, then: kubectl apply -f {manifest}");
                return null;
            case RunnerKind.Slurm:
                var outcome = new SlurmRunner(sweep, launcher,
                    new SlurmOptions(p.GetValue(MaxParallel), p.GetValue(Partition), p.GetValue(Retries), p.GetValue(Poll), !p.GetValue(NoWait)),
                    Console.WriteLine).Run();
                return p.GetValue(NoWait) ? null : outcome;
            default:
                int jobs = p.GetValue(Jobs);
                int threads = p.GetValue(GlobalOptions.Threads) ?? LocalRunner.DefaultThreads(jobs);
                using (var cancel = new CancellationTokenSource())
                using (StopOnSignals(cancel))
                {
                    try
                    {
                        return new LocalRunner(sweep, launcher, jobs, threads, Console.WriteLine).Run(cancel.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        throw new RunInterruptedException($"interrupted; done tasks are kept, rerun the same command to finish {sweep.Path}");
                    }
                }
        }
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
}
