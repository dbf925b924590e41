using System.Globalization;
using System.Text.Json;
using LossLandscape.Models;
using LossLandscape.Runs;
using LossLandscape.Runs.Sweeps;
using LossLandscape.Training;

namespace LossLandscape.Ensembles;

/// <summary>
/// How the members of a pool are trained: the model family and, per width, how many members; every member is one
/// `landscape train` run with its own seed (initialisation and shuffling) and the same data (<c>--data-seed</c>).
/// <see cref="TrainArguments"/> are further train options (epochs, lr, schedule, train-size, label-noise, ...).
/// </summary>
public sealed record PoolPlan(string Model, IReadOnlyList<int> Widths, IReadOnlyList<int> Members, IReadOnlyList<SweepArgument> TrainArguments,
    int DataSeed = 0, SweepResources? Resources = null)
{
    /// <summary>The paper's recipe for members: SGD momentum 0.9, batch 128, constant LR to 50% then linear to 1% at 90%.</summary>
    public static PoolPlan Create(string model, IReadOnlyList<int> widths, IReadOnlyList<int> members, int depth, int epochs, int? trainSize,
        double learningRate, double weightDecay = 0, double labelNoise = 0, string? dataDir = null)
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        var args = new List<SweepArgument>
        {
            new("depth", new[] { I(depth) }),
            new("epochs", new[] { I(epochs) }),
            new("lr", new[] { F(learningRate) }),
            new("momentum", new[] { "0.9" }),
            new("batch-size", new[] { "128" }),
            new("schedule", new[] { "linear" }),
        };
        if (trainSize is { } n) args.Add(new("train-size", new[] { I(n) }));
        if (weightDecay > 0) args.Add(new("weight-decay", new[] { F(weightDecay) }));
        if (labelNoise > 0) args.Add(new("label-noise", new[] { F(labelNoise) }));
        if (dataDir is not null) args.Add(new("data-dir", new[] { Path.GetFullPath(dataDir) }));
        return new PoolPlan(model, widths, members.Count == 1 && widths.Count > 1 ? Enumerable.Repeat(members[0], widths.Count).ToList() : members, args);
    }

    public void Validate()
    {
        if (Widths.Count == 0) throw new LandscapeException("a pool needs at least one width");
        if (Widths.Any(w => w < 1)) throw new LandscapeException("widths must be positive");
        if (Widths.Distinct().Count() != Widths.Count) throw new LandscapeException("a width appears twice");
        if (Members.Count != Widths.Count) throw new LandscapeException($"{Members.Count} member counts for {Widths.Count} widths");
        if (Members.Any(m => m < 1)) throw new LandscapeException("every width needs at least one member");
        foreach (var a in TrainArguments)
            if (a.Option is "model" or "width" or "seed" or "data-seed" or "save-logits" or "out")
                throw new LandscapeException($"the pool sets --{a.Option} itself");
    }
}

/// <summary>
/// A pool of independently trained members per width, shared by every ensemble analysis:
/// <code>
/// pool.json          the plan
/// width-W/           a sweep folder (see SweepDirectory) whose task seed-S is member S, with predictions/test_*.npy
/// </code>
/// Training goes through the sweep runners, so a killed pool resumes and a pool can be trained on Slurm.
/// </summary>
public sealed class EnsemblePool
{
    public const string PlanFile = "pool.json";

    public string Path { get; }
    public PoolPlan Plan { get; }

    EnsemblePool(string path, PoolPlan plan)
    {
        Path = path;
        Plan = plan;
    }

    /// <summary>Creates the pool folder and one sweep per width, or opens the same pool again.</summary>
    public static EnsemblePool CreateOrOpen(string path, PoolPlan plan)
    {
        plan.Validate();
        var planPath = System.IO.Path.Combine(path, PlanFile);
        var json = JsonSerializer.Serialize(plan, RunManifest.Json);
        if (File.Exists(planPath))
        {
            if (File.ReadAllText(planPath) != json)
                throw new LandscapeException($"{path} holds a different pool; give this one another --out");
        }
        else
        {
            Directory.CreateDirectory(path);
            AtomicFile.WriteAllText(planPath, json);
        }
        var pool = new EnsemblePool(path, plan);
        for (int i = 0; i < plan.Widths.Count; i++)
            SweepDirectory.CreateOrOpen(pool.WidthFolder(plan.Widths[i]), pool.SweepFor(i));
        return pool;
    }

    public static EnsemblePool Open(string path)
    {
        var planPath = System.IO.Path.Combine(path, PlanFile);
        if (!File.Exists(planPath)) throw new LandscapeException($"{path}: not an ensemble pool (no {PlanFile})");
        try
        {
            var plan = JsonSerializer.Deserialize<PoolPlan>(File.ReadAllText(planPath), RunManifest.Json) ?? throw new JsonException("empty");
            return new EnsemblePool(path, plan);
        }
        catch (JsonException e)
        {
            throw new LandscapeException($"{planPath}: not a pool plan ({e.Message})");
        }
    }

    public string WidthFolder(int width) => System.IO.Path.Combine(Path, $"width-{width}");

    /// <summary>The sweep that trains the members of the i-th width.</summary>
    SweepSpec SweepFor(int i)
    {
        int width = Plan.Widths[i];
        var args = new List<SweepArgument>
        {
            new("model", new[] { Plan.Model }),
            new("width", new[] { width.ToString(CultureInfo.InvariantCulture) }),
            new("data-seed", new[] { Plan.DataSeed.ToString(CultureInfo.InvariantCulture) }),
            new("save-logits", Array.Empty<string>()),
        };
        if (!Plan.TrainArguments.Any(a => a.Option == "checkpoint-every")) args.Add(new("checkpoint-every", new[] { "0" }));
        args.AddRange(Plan.TrainArguments);
        var seeds = Enumerable.Range(0, Plan.Members[i]).Select(s => s.ToString(CultureInfo.InvariantCulture)).ToList();
        return new SweepSpec($"pool-width-{width}", new[] { "train" }, args, new[] { new SweepAxis("seed", seeds) }, Plan.Resources ?? new SweepResources());
    }

    public IReadOnlyList<SweepDirectory> Sweeps() => Plan.Widths.Select(w => SweepDirectory.Open(WidthFolder(w))).ToList();

    /// <summary>The run folders of the finished members of one width, in seed order.</summary>
    public IReadOnlyList<string> Members(int width)
    {
        var sweep = SweepDirectory.Open(WidthFolder(width));
        return sweep.Tasks.Where(t => sweep.State(t) == TaskState.Done).Select(sweep.TaskFolder).ToList();
    }

    /// <summary>Trainable parameters of one member of this width (from its run.json, so the input shape is the data's).</summary>
    public long Parameters(int width)
    {
        var member = Members(width).FirstOrDefault() ?? throw new LandscapeException($"{WidthFolder(width)}: no finished member");
        var settings = RunDirectory.Open(member).ReadManifest().SettingsAs<TrainRunSettings>();
        using var model = ModelRegistry.Create(settings.Model, seed: 0);
        return model.ParameterCount;
    }

    /// <summary>The test logits of the finished members of one width (all on the same test samples, checked).</summary>
    public MemberLogits Load(int width)
    {
        var members = Members(width);
        if (members.Count == 0) throw new LandscapeException($"{WidthFolder(width)}: no finished member; train the pool first");
        var predictions = members.Select(m => Predictions.Read(m, "test")).ToList();
        var first = predictions[0];
        var logits = new double[predictions.Count, first.Samples, first.Classes];
        for (int m = 0; m < predictions.Count; m++)
        {
            var p = predictions[m];
            if (p.Samples != first.Samples || p.Classes != first.Classes || !p.Labels.AsSpan().SequenceEqual(first.Labels))
                throw new LandscapeException($"{members[m]}: its test set differs from {members[0]}'s; members of a pool must share their data");
            for (int i = 0; i < p.Samples; i++)
                for (int k = 0; k < p.Classes; k++)
                    logits[m, i, k] = p.Logits[i, k];
        }
        return new MemberLogits(logits, first.Labels.Select(y => (int)y).ToList());
    }
}
