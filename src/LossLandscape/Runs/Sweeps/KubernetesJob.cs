using System.Text;
using YamlDotNet.Serialization;

namespace LossLandscape.Runs.Sweeps;

/// <summary>Kubernetes settings: the image that has `landscape` on its PATH, the claim that holds the sweep folder, parallelism, retries per index.</summary>
public sealed record KubernetesOptions(string Image, string Claim, int Parallelism = 8, int BackoffPerIndex = 1, string MountPath = "/sweep", string? Namespace = null);

/// <summary>
/// A Kubernetes Indexed Job for a sweep: one pod per task, the index in <c>JOB_COMPLETION_INDEX</c> (set by Kubernetes
/// for Indexed Jobs), the sweep folder on a persistent volume mounted as the working directory, so the container
/// runs <c>landscape sweep task .</c>. Retries are per index (<c>backoffLimitPerIndex</c>, Kubernetes 1.29+), so one
/// failing task does not fail the others. Copy the sweep folder (with sweep.json) onto the volume, then
/// <c>kubectl apply -f k8s/job.yaml</c>; afterwards <c>landscape sweep collect</c> on the volume's copy.
/// </summary>
public static class KubernetesJob
{
    public static string Manifest(SweepDirectory sweep, KubernetesOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Image)) throw new LandscapeException("--image is required for the kubernetes runner (an image with `landscape` on its PATH)");
        if (string.IsNullOrWhiteSpace(options.Claim)) throw new LandscapeException("--claim is required for the kubernetes runner (the PersistentVolumeClaim that holds the sweep folder)");
        if (options.Parallelism < 1) throw new LandscapeException($"--max-parallel must be at least 1, got {options.Parallelism}");
        var resources = sweep.Spec.Resources;
        var quantities = new Dictionary<string, string> { ["cpu"] = resources.Threads.ToString(), ["memory"] = KubernetesMemory(resources.Memory) };
        var metadata = new Dictionary<string, object> { ["name"] = JobName(sweep.Spec.Name), ["labels"] = new Dictionary<string, string> { ["app"] = "landscape-sweep" } };
        if (options.Namespace is { } ns) metadata["namespace"] = ns;
        var job = new Dictionary<string, object>
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = metadata,
            ["spec"] = new Dictionary<string, object>
            {
                ["completionMode"] = "Indexed",
                ["completions"] = sweep.Tasks.Count,
                ["parallelism"] = Math.Min(options.Parallelism, sweep.Tasks.Count),
                ["backoffLimitPerIndex"] = options.BackoffPerIndex,
                ["maxFailedIndexes"] = sweep.Tasks.Count,
                ["template"] = new Dictionary<string, object>
                {
                    ["spec"] = new Dictionary<string, object>
                    {
                        ["restartPolicy"] = "Never",
                        ["containers"] = new[]
                        {
                            new Dictionary<string, object>
                            {
                                ["name"] = "task",
                                ["image"] = options.Image,
                                ["workingDir"] = options.MountPath,
                                ["command"] = new[] { "landscape", "sweep", "task", ".", "--threads", resources.Threads.ToString(), "--progress", "none" },
                                ["resources"] = new Dictionary<string, object> { ["requests"] = quantities, ["limits"] = quantities },
                                ["volumeMounts"] = new[] { new Dictionary<string, object> { ["name"] = "sweep", ["mountPath"] = options.MountPath } },
                            },
                        },
                        ["volumes"] = new[]
                        {
                            new Dictionary<string, object> { ["name"] = "sweep", ["persistentVolumeClaim"] = new Dictionary<string, string> { ["claimName"] = options.Claim } },
                        },
                    },
                },
            },
        };
        var header = new StringBuilder()
            .AppendLine($"# Kubernetes Indexed Job for the sweep '{sweep.Spec.Name}' ({sweep.Tasks.Count} tasks), written by `landscape sweep --runner kubernetes`.")
            .AppendLine($"# Put the sweep folder (with sweep.json) on the claim '{options.Claim}', then: kubectl apply -f job.yaml")
            .AppendLine("# Each pod runs task $JOB_COMPLETION_INDEX; done tasks are skipped, so re-applying resumes the sweep.");
        return header + new SerializerBuilder().Build().Serialize(job);
    }

    public static string Write(SweepDirectory sweep, KubernetesOptions options)
    {
        var path = Path.Combine(sweep.File("k8s"), "job.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, Manifest(sweep, options));
        return path;
    }

    /// <summary>A DNS-1123 name: lowercase letters, digits and '-', at most 63 characters.</summary>
    public static string JobName(string sweepName)
    {
        var chars = ("landscape-" + sweepName).ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var name = new string(chars);
        return (name.Length > 63 ? name[..63] : name).Trim('-');
    }

    /// <summary>Slurm-style sizes (4G, 500M) as Kubernetes quantities (4Gi, 500Mi); Kubernetes quantities pass through.</summary>
    public static string KubernetesMemory(string memory) =>
        memory.Length > 1 && char.IsDigit(memory[^2]) && memory[^1] is 'K' or 'M' or 'G' or 'T' ? memory + "i" : memory;
}
