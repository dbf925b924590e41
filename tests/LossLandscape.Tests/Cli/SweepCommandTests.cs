using System.Diagnostics;
using System.Text.Json;
using LossLandscape.Runs.Sweeps;
using YamlDotNet.RepresentationModel;

namespace LossLandscape.Tests.Cli;

/// <summary>
/// `landscape sweep` end to end on real Fashion-MNIST: a grid of tiny trainings through the local process pool,
/// a real Slurm cluster (started by .ci/run) and a Kubernetes manifest whose container command is run here for
/// every index; failures are reported and retried alone, a killed runner loses nothing done.
/// </summary>
public class SweepCommandTests
{
    const string TinySpec = """
        command: train
        args: {model: mlp, width: 16, epochs: 1, train-size: 600, test-size: 300, checkpoint-every: 0}
        grid:
          seed: [0, 1, 2, 3]
        resources: {threads: 1, time: "00:05:00", memory: 1G}
        """;

    static (string Spec, string Folder) NewSweep(string prefix, string text = TinySpec)
    {
        var root = CliRunner.TempFolder(prefix);
        var spec = Path.Combine(root, "tiny.yaml");
        File.WriteAllText(spec, text);
        return (spec, Path.Combine(root, "sweep"));
    }

    static CliRunner.Result Landscape(params string[] args) => CliRunner.Run(TimeSpan.FromMinutes(5), args.Append("--progress").Append("none").ToArray());

    static Dictionary<string, TaskMarker> Markers(string folder)
    {
        var sweep = SweepDirectory.Open(folder);
        return sweep.Tasks.Select(sweep.ReadMarker).OfType<TaskMarker>().ToDictionary(m => m.Folder);
    }

    static List<Dictionary<string, string>> Summary(string folder)
    {
        var r = Landscape("sweep", "collect", folder);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = File.ReadAllLines(Path.Combine(folder, SweepSummary.FileName));
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    static void AssertAllDone(string folder, int tasks)
    {
        var rows = Summary(folder);
        Assert.Equal(tasks, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal("done", row["state"]);
            double accuracy = double.Parse(row["metrics.test_acc"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(accuracy, 0.05, 1.0);
            Assert.Equal("1", row["metrics.epoch"]);
        });
        Assert.Equal(Enumerable.Range(0, tasks).Select(i => i.ToString()), rows.Select(r => r["seed"]));
    }

    [Fact]
    public void LocalSweepRunsEveryTaskOnceAndCollectsThem()
    {
        var (spec, folder) = NewSweep("sweep-local");
        var first = Landscape("sweep", spec, "--out", folder, "--jobs", "2");
        Assert.True(first.ExitCode == 0, first.Stderr + first.Stdout);
        Assert.Contains("4/4 tasks done", first.Stdout);
        AssertAllDone(folder, 4);
        Assert.All(Markers(folder).Values, m => Assert.Equal(("local", 1), (m.Runner, m.Attempt)));
        Assert.True(File.Exists(Path.Combine(folder, "logs", "seed-0.log")));

        var before = Markers(folder);
        var again = Landscape("sweep", spec, "--out", folder);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("4 already done, 0 to run", again.Stdout);
        Assert.Equal(before, Markers(folder));
        // Different seeds train differently: the summary is not four copies of one run.
        Assert.True(Summary(folder).Select(r => r["metrics.train_loss"]).Distinct().Count() > 1);
    }

    [Fact]
    public void AFailedTaskIsReportedAndARerunRetriesOnlyIt()
    {
        var (spec, folder) = NewSweep("sweep-fail");
        // Something in the way of task 2's output folder: its command fails with one clear line.
        Directory.CreateDirectory(Path.Combine(folder, "tasks"));
        File.WriteAllText(Path.Combine(folder, "tasks", "seed-2"), "in the way");
        var first = Landscape("sweep", spec, "--out", folder, "--jobs", "2");
        Assert.Equal(4, first.ExitCode);
        Assert.Contains("failed: 2", first.Stdout);
        Assert.Contains("task 2 (seed-2) FAILED (exit 2)", first.Stdout);
        var status = Landscape("sweep", "status", folder);
        Assert.Contains("3 done, 1 failed", status.Stdout);
        Assert.Contains("cannot write the run folder", status.Stdout);

        var before = Markers(folder);
        File.Delete(Path.Combine(folder, "tasks", "seed-2"));
        var second = Landscape("sweep", spec, "--out", folder);
        Assert.True(second.ExitCode == 0, second.Stderr + second.Stdout);
        Assert.Contains("3 already done, 1 to run", second.Stdout);
        var after = Markers(folder);
        foreach (var name in new[] { "seed-0", "seed-1", "seed-3" }) Assert.Equal(before[name], after[name]);
        Assert.Equal((TaskState.Done, 2), (after["seed-2"].State, after["seed-2"].Attempt));
        AssertAllDone(folder, 4);
    }

    [Fact]
    public void AKilledRunnerLosesNothingDone()
    {
        var (spec, folder) = NewSweep("sweep-kill", TinySpec.Replace("epochs: 1", "epochs: 1, checkpoint-every-steps: 1"));
        var info = CliRunner.StartInfo(new[] { "sweep", spec, "--out", folder, "--jobs", "1", "--progress", "none" }, null, null);
        using (var runner = Process.Start(info)!)
        {
            runner.StandardOutput.ReadToEndAsync();
            runner.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (CountDone(folder) < 2 && clock.Elapsed < TimeSpan.FromMinutes(3) && !runner.HasExited) Thread.Sleep(50);
            Assert.False(runner.HasExited, "the runner finished before it could be killed");
            runner.Kill(entireProcessTree: true);
            runner.WaitForExit();
        }
        var done = Markers(folder).Where(kv => kv.Value.State == TaskState.Done).ToDictionary();
        Assert.InRange(done.Count, 2, 3);

        var rerun = Landscape("sweep", spec, "--out", folder);
        Assert.True(rerun.ExitCode == 0, rerun.Stderr + rerun.Stdout);
        Assert.Contains($"{done.Count} already done, {4 - done.Count} to run", rerun.Stdout);
        var after = Markers(folder);
        foreach (var (name, marker) in done) Assert.Equal(marker, after[name]);
        AssertAllDone(folder, 4);
    }

    static int CountDone(string folder) =>
        Directory.Exists(Path.Combine(folder, "state"))
            ? Directory.GetFiles(Path.Combine(folder, "state"), "*.json").Count(f => SafeRead(f).Contains("\"done\""))
            : 0;

    static string SafeRead(string path)
    {
        try { return File.ReadAllText(path); } catch (IOException) { return ""; }
    }

    [Fact]
    public void TheKubernetesManifestsContainerCommandRunsEveryIndex()
    {
        var (spec, folder) = NewSweep("sweep-k8s");
        var write = Landscape("sweep", spec, "--out", folder, "--runner", "kubernetes", "--image", "example.org/landscape:test", "--claim", "sweeps");
        Assert.True(write.ExitCode == 0, write.Stderr);
        var manifest = new YamlStream();
        manifest.Load(new StringReader(File.ReadAllText(Path.Combine(folder, "k8s", "job.yaml"))));
        var job = (YamlMappingNode)manifest.Documents[0].RootNode;
        var jobSpec = (YamlMappingNode)job["spec"];
        Assert.Equal("Indexed", jobSpec["completionMode"].ToString());
        int completions = int.Parse(jobSpec["completions"].ToString());
        Assert.Equal(4, completions);
        var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)jobSpec["template"])["spec"])["containers"])[0];
        var command = ((YamlSequenceNode)container["command"]).Select(n => n.ToString()).ToArray();
        Assert.Equal("landscape", command[0]);
        var volume = ((YamlSequenceNode)container["volumeMounts"]).Cast<YamlMappingNode>().Single();
        Assert.Equal(container["workingDir"].ToString(), volume["mountPath"].ToString());

        // What each pod does: the container command, in the volume's folder, with the index Kubernetes sets.
        for (int index = 0; index < completions; index++)
        {
            var pod = CliRunner.StartInfo(command[1..], new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = index.ToString() }, folder);
            var r = CliRunner.Run(pod, TimeSpan.FromMinutes(2));
            Assert.True(r.ExitCode == 0, $"index {index}: {r.Stderr}{r.Stdout}");
        }
        AssertAllDone(folder, 4);
        Assert.All(Markers(folder).Values, m => Assert.Equal("kubernetes", m.Runner));
        // A pod restarted for a done index does nothing.
        var again = CliRunner.Run(CliRunner.StartInfo(command[1..], new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "3" }, folder), TimeSpan.FromMinutes(2));
        Assert.Contains("already done", again.Stdout);
    }

    [Fact]
    [Trait("Category", "Slurm")]
    public void ASlurmSweepResubmitsOnlyTheFailedTask()
    {
        var sinfo = Process.Start(new ProcessStartInfo("sh", new[] { "-c", "sinfo -h -o %T" }) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string nodes = sinfo.StandardOutput.ReadToEnd();
        sinfo.WaitForExit();
        Assert.True(sinfo.ExitCode == 0 && nodes.Length > 0,
            "this test needs a Slurm cluster: .ci/run starts one (.ci/slurm-cluster.sh start DIR, then export SLURM_CONF=DIR/slurm.conf)");

        var (spec, folder) = NewSweep("sweep-slurm");
        Directory.CreateDirectory(Path.Combine(folder, "tasks"));
        File.WriteAllText(Path.Combine(folder, "tasks", "seed-1"), "in the way");
        var first = Landscape("sweep", spec, "--out", folder, "--runner", "slurm", "--poll", "0.5", "--max-parallel", "2", "--retries", "1");
        Assert.True(first.ExitCode == 4, first.Stderr + first.Stdout);
        Assert.Contains("task 1 (seed-1) failed: Slurm FAILED", first.Stdout);
        Assert.Contains("resubmitting the 1 failed task(s) alone: 1", first.Stdout);
        var jobs = File.ReadAllLines(Path.Combine(folder, "slurm", "jobs.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(new[] { "\"0-3\"", "\"1\"" }, jobs.Select(j => j[2]));
        Assert.Contains("#SBATCH --array=1%2", File.ReadAllText(Path.Combine(folder, "slurm", "round-2.sbatch")));

        var before = Markers(folder);
        File.Delete(Path.Combine(folder, "tasks", "seed-1"));
        var second = Landscape("sweep", spec, "--out", folder, "--runner", "slurm", "--poll", "0.5");
        Assert.True(second.ExitCode == 0, second.Stderr + second.Stdout);
        Assert.Contains("round 3: submitted job", second.Stdout);
        Assert.Contains("for 1 task(s) [1]", second.Stdout);
        var after = Markers(folder);
        foreach (var name in new[] { "seed-0", "seed-2", "seed-3" }) Assert.Equal(before[name], after[name]);
        Assert.Equal((TaskState.Done, 3, "slurm"), (after["seed-1"].State, after["seed-1"].Attempt, after["seed-1"].Runner));
        AssertAllDone(folder, 4);
    }

    [Theory]
    [InlineData("sweep|/nonexistent/spec.yaml", "no such sweep spec")]
    [InlineData("sweep|status|/nonexistent/sweep", "not a sweep folder")]
    [InlineData("sweep|{spec}|--runner|kubernetes", "--image is required")]
    [InlineData("sweep|{spec}|--runner|cloud", "cloud")]
    [InlineData("sweep|{spec}|--jobs|0", "--jobs must be at least 1")]
    [InlineData("sweep|task|{folder}", "no task index")]
    [InlineData("sweep|task|{folder}|--index|9", "out of range")]
    public void BadInputGetsOneLineAndExitCode2(string args, string expected)
    {
        var (spec, folder) = NewSweep("sweep-bad");
        Assert.Equal(0, Landscape("sweep", spec, "--out", folder, "--runner", "kubernetes", "--image", "i", "--claim", "c").ExitCode);
        var r = Landscape(args.Replace("{spec}", spec).Replace("{folder}", folder).Split('|'));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
