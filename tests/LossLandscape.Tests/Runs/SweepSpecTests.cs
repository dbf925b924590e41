using LossLandscape.Runs.Sweeps;
using LossLandscape.Tests.Cli;
using YamlDotNet.RepresentationModel;

namespace LossLandscape.Tests.Runs;

/// <summary>Sweep specs: parsing YAML and JSON alike, deterministic expansion, folder names, and one clear error per mistake.</summary>
public class SweepSpecTests
{
    const string Yaml = """
        name: widths
        command: train
        args: {model: mlp, epochs: 2, bn: true, nesterov: false, anneal-epoch: [3, 6]}
        grid:
          width: [16, 64]
          seed: [0, 1, 2]
        resources: {threads: 2, time: "00:30:00", memory: 2G}
        """;

    const string Json = """
        {"name": "widths", "command": "train",
         "args": {"model": "mlp", "epochs": 2, "bn": true, "nesterov": false, "anneal-epoch": [3, 6]},
         "grid": {"width": [16, 64], "seed": [0, 1, 2]},
         "resources": {"threads": 2, "time": "00:30:00", "memory": "2G"}}
        """;

    [Fact]
    public void YamlAndJsonGiveTheSameTasksInAFixedOrder()
    {
        var fromYaml = SweepSpec.Parse(Yaml, "x");
        var fromJson = SweepSpec.Parse(Json, "x");
        Assert.Equal(6, fromYaml.TaskCount);
        var tasks = fromYaml.Expand();
        Assert.Equal(tasks.Select(t => string.Join(' ', t.Arguments)), fromJson.Expand().Select(t => string.Join(' ', t.Arguments)));
        // The first axis varies slowest; flags appear bare, false flags not at all, lists as several tokens.
        Assert.Equal("train --model mlp --epochs 2 --bn --anneal-epoch 3 6 --width 16 --seed 0", string.Join(' ', tasks[0].Arguments));
        Assert.Equal(new[] { "width-16_seed-0", "width-16_seed-1", "width-16_seed-2", "width-64_seed-0", "width-64_seed-1", "width-64_seed-2" },
            tasks.Select(t => t.Folder));
        Assert.Equal(Enumerable.Range(0, 6), tasks.Select(t => t.Index));
        Assert.Equal(new SweepResources(2, "00:30:00", "2G"), fromYaml.Resources);
    }

    [Fact]
    public void FolderNamesDependOnParametersOnly()
    {
        var a = SweepSpec.Parse("command: train\ngrid: {seed: [1, 2], lr: [0.1]}", "a").Expand();
        var b = SweepSpec.Parse("command: train\ngrid: {seed: [2, 1], lr: [0.1]}", "b").Expand();
        Assert.Equal(a[0].Folder, b[1].Folder);
        Assert.Equal("seed-1_lr-0.1", a[0].Folder);
        Assert.Equal("task", SweepSpec.Parse("command: experiment minefield", "c").Expand().Single().Folder);
        Assert.Equal("data-dir-_tmp_a_b", SweepSpec.FolderName(new[] { new KeyValuePair<string, string>("data-dir", "/tmp/a b") }));
    }

    [Fact]
    public void GridBooleansSwitchAFlag()
    {
        var tasks = SweepSpec.Parse("command: train\ngrid: {bn: [true, false]}", "x").Expand();
        Assert.Equal("train --bn", string.Join(' ', tasks[0].Arguments));
        Assert.Equal("train", string.Join(' ', tasks[1].Arguments));
    }

    [Theory]
    [InlineData("grid: {seed: [0]}", "'command' is missing")]
    [InlineData("command: train\nargs: {out: x}", "sets --out itself")]
    [InlineData("command: train\ngrid: {threads: [1, 2]}", "sets --threads itself")]
    [InlineData("command: train\nfoo: 1", "unknown key 'foo'")]
    [InlineData("command: train\ngrid: {seed: [0, 0]}", "repeats a value")]
    [InlineData("command: train\ngrid: {seed: []}", "has no values")]
    [InlineData("command: train\nargs: {seed: 1}\ngrid: {seed: [0]}", "both a fixed argument and a grid axis")]
    [InlineData("command: train\nresources: {threads: 0}", "resources.threads must be a positive integer")]
    [InlineData("command: train\nresources: {gpus: 1}", "unknown resource 'gpus'")]
    [InlineData("command: sweep", "a sweep cannot run sweeps")]
    [InlineData("command: train --epochs 2", "without options")]
    [InlineData("command: train\ngrid: {model: [\"a b\", a_b]}", "would share the folder")]
    [InlineData("command: train\ngrid: [1, 2]", "'grid' must be a mapping")]
    [InlineData("command: [train\n", "not valid YAML or JSON at line")]
    [InlineData("- 1\n- 2", "a sweep spec is one mapping")]
    public void MistakesGetOneClearMessage(string text, string expected)
    {
        var e = Assert.Throws<LandscapeException>(() => SweepSpec.Parse(text, "x", "spec.yaml").Expand());
        Assert.Contains(expected, e.Message);
        if (!expected.Contains("share the folder")) Assert.StartsWith("spec.yaml: ", e.Message);
    }

    [Fact]
    public void ArraySpecsCompressRuns()
    {
        Assert.Equal("0-3,5,7-8", SlurmRunner.ArraySpec(new[] { 8, 0, 1, 2, 3, 5, 7 }));
        Assert.Equal("4", SlurmRunner.ArraySpec(new[] { 4 }));
        Assert.Equal("", SlurmRunner.ArraySpec(Array.Empty<int>()));
    }

    [Fact]
    public void AFolderKeepsItsSweepAndRefusesAnother()
    {
        var folder = Path.Combine(CliRunner.TempFolder("sweep-dir"), "s");
        var spec = SweepSpec.Parse(Yaml, "x");
        var created = SweepDirectory.CreateOrOpen(folder, spec);
        var reopened = SweepDirectory.CreateOrOpen(folder, SweepSpec.Parse(Json, "x"));
        Assert.Equal(created.Tasks.Select(t => t.Folder), reopened.Tasks.Select(t => t.Folder));
        Assert.Equal(created.Tasks[3].Arguments, SweepDirectory.Open(folder).Tasks[3].Arguments);
        var other = SweepSpec.Parse(Yaml.Replace("[0, 1, 2]", "[0, 1]"), "x");
        var e = Assert.Throws<LandscapeException>(() => SweepDirectory.CreateOrOpen(folder, other));
        Assert.Contains("holds a different sweep", e.Message);
        Assert.Throws<LandscapeException>(() => created.Task(6));
    }

    [Fact]
    public void MarkersAndLocksDecideATaskState()
    {
        var sweep = SweepDirectory.CreateOrOpen(Path.Combine(CliRunner.TempFolder("sweep-state"), "s"), SweepSpec.Parse(Yaml, "x"));
        var task = sweep.Tasks[1];
        Assert.Equal(TaskState.Pending, sweep.State(task));
        using (var held = sweep.TryLock(task))
        {
            Assert.NotNull(held);
            Assert.Null(sweep.TryLock(task)); // exclusive while held
            Assert.Equal(TaskState.Running, sweep.State(task));
        }
        Assert.Equal(TaskState.Pending, sweep.State(task));
        sweep.WriteMarker(new TaskMarker(1, task.Folder, TaskState.Failed, 2, 0.5, 1, "h", "local", DateTimeOffset.UtcNow, "bad"));
        Assert.Equal(TaskState.Failed, sweep.State(task));
        Assert.Equal(new[] { 1 }, sweep.TasksIn(TaskState.Failed).Select(t => t.Index));
        sweep.WriteMarker(new TaskMarker(1, task.Folder, TaskState.Done, 0, 0.5, 2, "h", "local", DateTimeOffset.UtcNow));
        Assert.Equal(TaskState.Done, sweep.State(task));
        Assert.Equal(5, sweep.Unfinished().Count);
    }

    [Fact]
    public void ResultsComeFromMetricsAndReportsNamedBySource()
    {
        var sweep = SweepDirectory.CreateOrOpen(Path.Combine(CliRunner.TempFolder("sweep-results"), "s"), SweepSpec.Parse(Yaml, "x"));
        var task = sweep.Tasks[0];
        Directory.CreateDirectory(sweep.TaskFolder(task));
        File.WriteAllText(Path.Combine(sweep.TaskFolder(task), "run.json"), """{"seed": 3}""");
        File.WriteAllText(Path.Combine(sweep.TaskFolder(task), "minefield.json"), """{"barrier": 0.25, "verdict": "partly", "fit": {"a": -0.5, "deep": {"x": 1}}, "list": [1, 2]}""");
        var results = sweep.Results(task).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(new Dictionary<string, double> { ["minefield.barrier"] = 0.25, ["minefield.fit.a"] = -0.5 }, results);
    }

    [Fact]
    public void TheKubernetesManifestIsAnIndexedJobOverTheSweepVolume()
    {
        var sweep = SweepDirectory.CreateOrOpen(Path.Combine(CliRunner.TempFolder("sweep-k8s"), "s"), SweepSpec.Parse(Yaml, "x"));
        var yaml = KubernetesJob.Manifest(sweep, new KubernetesOptions("registry/landscape:1", "sweeps", Parallelism: 4));
        var doc = new YamlStream();
        doc.Load(new StringReader(yaml));
        var root = (YamlMappingNode)doc.Documents[0].RootNode;
        string At(YamlNode node, params string[] path) => path.Aggregate(node, (n, key) => ((YamlMappingNode)n)[key]).ToString();
        Assert.Equal("Job", At(root, "kind"));
        Assert.Equal("batch/v1", At(root, "apiVersion"));
        Assert.Equal("landscape-widths", At(root, "metadata", "name"));
        Assert.Equal("Indexed", At(root, "spec", "completionMode"));
        Assert.Equal("6", At(root, "spec", "completions"));
        Assert.Equal("4", At(root, "spec", "parallelism"));
        var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)root["spec"])["template"])["spec"]["containers"])[0];
        Assert.Equal("/sweep", At(container, "workingDir"));
        Assert.Equal("landscape sweep task . --threads 2 --progress none", string.Join(' ', ((YamlSequenceNode)container["command"]).Select(n => n.ToString())));
        Assert.Equal("2Gi", At(container, "resources", "limits", "memory"));
        Assert.Equal("landscape-a-b-c", KubernetesJob.JobName("A_b.c"));
        Assert.Throws<LandscapeException>(() => KubernetesJob.Manifest(sweep, new KubernetesOptions("", "claim")));
    }
}
