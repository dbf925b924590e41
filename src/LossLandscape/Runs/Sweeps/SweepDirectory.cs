using System.Text.Json;
using System.Text.Json.Nodes;

namespace LossLandscape.Runs.Sweeps;

public enum TaskState { Pending, Running, Done, Failed }

/// <summary>What the last attempt at a task left behind (state/&lt;folder&gt;.json): done or failed, how, where and when.</summary>
public sealed record TaskMarker(int Index, string Folder, TaskState State, int ExitCode, double Seconds, int Attempt, string Host, string Runner, DateTimeOffset Finished, string? Message = null);

/// <summary>
/// A sweep folder:
/// <code>
/// sweep.json            the spec and its numbered tasks, fixed when the sweep is created
/// tasks/&lt;folder&gt;/       each task's output (the command's --out); the folder is named after the task's parameters
/// state/&lt;folder&gt;.json  done or failed marker of the last attempt; a task is done only when this says so
/// state/&lt;folder&gt;.lock  held (flock) by the process running the task
/// logs/                 the tasks' console output; slurm/ and k8s/ hold the scripts and manifests
/// summary.csv           written by collect
/// </code>
/// Every path inside is relative to the folder, so it can be copied to a cluster's shared file system or a volume.
/// </summary>
public sealed class SweepDirectory
{
    public const string PlanFile = "sweep.json";

    public string Path { get; }
    public SweepSpec Spec { get; }
    public IReadOnlyList<SweepTask> Tasks { get; }

    SweepDirectory(string path, SweepSpec spec, IReadOnlyList<SweepTask> tasks)
    {
        Path = path;
        Spec = spec;
        Tasks = tasks;
    }

    sealed record Plan(SweepSpec Spec, IReadOnlyList<SweepTask> Tasks);

    /// <summary>Creates the sweep folder for a spec, or opens it when it already holds the same sweep (a rerun).</summary>
    public static SweepDirectory CreateOrOpen(string path, SweepSpec spec)
    {
        var tasks = spec.Expand();
        var planPath = System.IO.Path.Combine(path, PlanFile);
        if (System.IO.File.Exists(planPath))
        {
            var existing = Open(path);
            string Canonical(SweepSpec s) => JsonSerializer.Serialize(s, RunManifest.Json);
            if (Canonical(existing.Spec) != Canonical(spec))
                throw new LandscapeException($"{path} holds a different sweep ('{existing.Spec.Name}', {existing.Tasks.Count} tasks); give this spec another --out");
            return existing;
        }
        try
        {
            Directory.CreateDirectory(System.IO.Path.Combine(path, "tasks"));
            Directory.CreateDirectory(System.IO.Path.Combine(path, "state"));
            Directory.CreateDirectory(System.IO.Path.Combine(path, "logs"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LandscapeException($"{path}: cannot create the sweep folder ({e.Message})");
        }
        AtomicFile.WriteAllText(planPath, JsonSerializer.Serialize(new Plan(spec, tasks), RunManifest.Json));
        return new SweepDirectory(path, spec, tasks);
    }

    public static SweepDirectory Open(string path)
    {
        var planPath = System.IO.Path.Combine(path, PlanFile);
        if (!System.IO.File.Exists(planPath)) throw new LandscapeException($"{path}: not a sweep folder (no {PlanFile})");
        Plan plan;
        try
        {
            plan = JsonSerializer.Deserialize<Plan>(System.IO.File.ReadAllText(planPath), RunManifest.Json)
                   ?? throw new LandscapeException($"{planPath} is empty");
        }
        catch (JsonException e)
        {
            throw new LandscapeException($"{planPath}: not a sweep plan ({e.Message})");
        }
        return new SweepDirectory(path, plan.Spec, plan.Tasks);
    }

    public SweepTask Task(int index) =>
        index >= 0 && index < Tasks.Count
            ? Tasks[index]
            : throw new LandscapeException($"task index {index} is out of range: this sweep has tasks 0-{Tasks.Count - 1}");

    public string TaskFolder(SweepTask task) => System.IO.Path.Combine(Path, "tasks", task.Folder);
    public string RelativeTaskFolder(SweepTask task) => System.IO.Path.Combine("tasks", task.Folder);
    public string LogFile(SweepTask task) => System.IO.Path.Combine(Path, "logs", task.Folder + ".log");
    public string File(string name) => System.IO.Path.Combine(Path, name);
    string MarkerPath(SweepTask task) => System.IO.Path.Combine(Path, "state", task.Folder + ".json");
    string LockPath(SweepTask task) => System.IO.Path.Combine(Path, "state", task.Folder + ".lock");

    public TaskMarker? ReadMarker(SweepTask task)
    {
        var path = MarkerPath(task);
        if (!System.IO.File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TaskMarker>(System.IO.File.ReadAllText(path), RunManifest.Json);
        }
        catch (JsonException)
        {
            return null; // a marker is written atomically; an unreadable one counts as absent
        }
    }

    public void WriteMarker(TaskMarker marker) =>
        AtomicFile.WriteAllText(MarkerPath(Task(marker.Index)), JsonSerializer.Serialize(marker, RunManifest.Json));

    /// <summary>Takes the task's lock, or returns null when another process holds it. The lock dies with its process.</summary>
    public IDisposable? TryLock(SweepTask task)
    {
        try
        {
            // On Linux, FileShare.None takes an advisory flock: exclusive among processes that ask for it.
            return new FileStream(LockPath(task), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public TaskState State(SweepTask task)
    {
        var marker = ReadMarker(task);
        if (marker?.State == TaskState.Done) return TaskState.Done;
        if (System.IO.File.Exists(LockPath(task)))
        {
            using var probe = TryLock(task);
            if (probe is null) return TaskState.Running;
        }
        return marker?.State ?? TaskState.Pending;
    }

    public IReadOnlyList<SweepTask> TasksIn(TaskState state) => Tasks.Where(t => State(t) == state).ToList();

    public IReadOnlyList<SweepTask> Unfinished() => Tasks.Where(t => State(t) != TaskState.Done).ToList();

    /// <summary>
    /// Numeric results of a finished task, named by their source: the last row of metrics.csv (<c>metrics.test_acc</c>),
    /// then the numbers of its JSON reports other than run.json (<c>minefield.barrier</c>, one level of nesting: <c>a.b.c</c>).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, double>> Results(SweepTask task)
    {
        var folder = TaskFolder(task);
        var values = new List<KeyValuePair<string, double>>();
        var metrics = System.IO.Path.Combine(folder, MetricsFile.FileName);
        if (System.IO.File.Exists(metrics) && MetricsFile.Read(metrics) is { Count: > 0 } rows)
            values.AddRange(rows[^1].Values().Select(kv => new KeyValuePair<string, double>("metrics." + kv.Key, kv.Value)));
        if (!Directory.Exists(folder)) return values;
        foreach (var report in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var stem = System.IO.Path.GetFileNameWithoutExtension(report);
            if (stem == "run") continue;
            JsonNode? node;
            try { node = JsonNode.Parse(System.IO.File.ReadAllText(report)); }
            catch (JsonException) { continue; }
            if (node is JsonObject obj) Flatten(obj, stem, depth: 0, values);
        }
        return values;
    }

    static void Flatten(JsonObject obj, string prefix, int depth, List<KeyValuePair<string, double>> into)
    {
        foreach (var (key, value) in obj)
        {
            var name = $"{prefix}.{key}";
            if (value is JsonValue v && v.TryGetValue(out double d)) into.Add(new(name, d));
            else if (value is JsonObject child && depth < 1) Flatten(child, name, depth + 1, into);
        }
    }
}
