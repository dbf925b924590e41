using static TorchSharp.torch;

namespace LossLandscape.Models;

/// <summary>
/// A set of hidden units that can be reordered together without changing the function: the rows of one
/// layer, its bias and BatchNorm entries and the matching columns of every layer that reads them.
/// <paramref name="ActivationSites"/> name the submodules whose outputs carry these units on axis 1
/// (used by activation matching; a residual stream is observed after every block that writes to it).
/// </summary>
public sealed record PermutationGroup(string Name, long Size, IReadOnlyList<string> ActivationSites);

/// <summary>One state tensor and, for each of its axes, the group that permutes it (null: never permuted).</summary>
public sealed record TensorAxes(string Tensor, IReadOnlyList<string?> Axes);

/// <summary>
/// The permutation symmetry of an architecture written as data (Ainsworth et al. 2022, "Git Re-Basin"):
/// which axes of which state tensors share one permutation. Applying permutations, drawing random ones and
/// weight / activation matching all read this one description, so they cannot disagree about the model.
/// Every state tensor is listed (buffers too: running statistics move with their units); input and class
/// axes are never permuted. Units merged by a residual sum share one group.
/// </summary>
public sealed class PermutationSpec
{
    readonly Dictionary<string, PermutationGroup> groupsByName;
    readonly Dictionary<string, TensorAxes> tensorsByName;

    public PermutationSpec(IReadOnlyList<PermutationGroup> groups, IReadOnlyList<TensorAxes> tensors)
    {
        Groups = groups;
        Tensors = tensors;
        groupsByName = groups.ToDictionary(g => g.Name);
        tensorsByName = tensors.ToDictionary(t => t.Tensor);
        foreach (var t in tensors)
        {
            var named = t.Axes.OfType<string>().ToList();
            foreach (var g in named)
                if (!groupsByName.ContainsKey(g)) throw new ArgumentException($"tensor '{t.Tensor}' names unknown group '{g}'");
            // Matching assumes each tensor is linear in every group's permutation matrix.
            if (named.Distinct().Count() != named.Count)
                throw new ArgumentException($"tensor '{t.Tensor}' is permuted by one group on two axes");
        }
    }

    public IReadOnlyList<PermutationGroup> Groups { get; }
    public IReadOnlyList<TensorAxes> Tensors { get; }

    public PermutationGroup Group(string name) =>
        groupsByName.TryGetValue(name, out var g) ? g : throw new ArgumentException($"no permutation group '{name}'");

    public TensorAxes AxesOf(string tensor) =>
        tensorsByName.TryGetValue(tensor, out var t) ? t : throw new ArgumentException($"state tensor '{tensor}' is not in the permutation spec");

    /// <summary>Every (tensor, axis) that <paramref name="group"/> permutes, in spec order.</summary>
    public IEnumerable<(string Tensor, int Axis)> Members(string groupName) =>
        Tensors.SelectMany(t => Enumerable.Range(0, t.Axes.Count).Where(axis => t.Axes[axis] == groupName).Select(axis => (t.Tensor, axis)));

    /// <summary>Throws unless the spec lists exactly the model's state tensors with matching ranks and group sizes.</summary>
    public void Validate(nn.Module model)
    {
        var state = model.state_dict();
        foreach (var name in state.Keys)
            if (!tensorsByName.ContainsKey(name)) throw new ArgumentException($"state tensor '{name}' is missing from the permutation spec");
        foreach (var t in Tensors)
        {
            if (!state.TryGetValue(t.Tensor, out var tensor)) throw new ArgumentException($"the spec lists '{t.Tensor}', which the model lacks");
            if (tensor.dim() != t.Axes.Count)
                throw new ArgumentException($"'{t.Tensor}' has {tensor.dim()} axes, the spec gives {t.Axes.Count}");
            for (int axis = 0; axis < t.Axes.Count; axis++)
                if (t.Axes[axis] is { } g && Group(g).Size != tensor.shape[axis])
                    throw new ArgumentException($"axis {axis} of '{t.Tensor}' has {tensor.shape[axis]} entries, group '{g}' has {Group(g).Size}");
        }
    }

    /// <summary>The spec of a registered architecture, checked against the model's state.</summary>
    public static PermutationSpec For(LandscapeModel model)
    {
        var spec = model switch
        {
            Mlp => ForMlp(model.Spec),
            CnnK => ForCnnK(model.Spec),
            ResNet18K => ForResNet18K(model.Spec),
            _ => throw new LandscapeException($"no permutation spec for {model.Spec.Kind}"),
        };
        spec.Validate(model);
        return spec;
    }

    /// <summary>Hidden layer i is group "hidden{i}": rows of linear{i}, bn{i}, columns of the next layer.</summary>
    public static PermutationSpec ForMlp(ModelSpec model)
    {
        var b = new PermutationSpecBuilder();
        string? previous = null;
        for (int i = 0; i < model.Depth; i++)
        {
            string group = b.Group($"hidden{i}", model.Width, $"features.relu{i}");
            b.Dense($"features.linear{i}", group, previous);
            if (model.BatchNorm) b.BatchNorm($"features.bn{i}", group);
            previous = group;
        }
        b.Dense("head", null, previous);
        return b.Build();
    }

    /// <summary>Conv layer i's output channels are group "conv{i}", read by conv{i+1} and, after the global pool, by the head.</summary>
    public static PermutationSpec ForCnnK(ModelSpec model)
    {
        var b = new PermutationSpecBuilder();
        string? previous = null;
        for (int i = 0; i < 4; i++)
        {
            string group = b.Group($"conv{i}", (long)model.Width << i, $"features.relu{i}");
            b.Conv($"features.conv{i}", group, previous, bias: true);
            if (model.BatchNorm) b.BatchNorm($"features.bn{i}", group);
            previous = group;
        }
        b.Dense("head", null, previous);
        return b.Build();
    }

    /// <summary>
    /// Stage s's residual stream is group "stream{s}": written by the stem (s=1) or the stage's projection
    /// shortcut, and by every block's conv2; read by the blocks' bn1, conv1 and the next stage's shortcut,
    /// and finally by bn and the head. Each block's inner channels (conv1 out, bn2, conv2 in) are group
    /// "layer{s}.{b}.inner".
    /// </summary>
    public static PermutationSpec ForResNet18K(ModelSpec model)
    {
        var b = new PermutationSpecBuilder();
        var streams = new string[ResNet18K.Stages + 1];
        for (int s = 1; s <= ResNet18K.Stages; s++)
        {
            var sites = new List<string>();
            if (s == 1) sites.Add("stem");
            for (int k = 0; k < ResNet18K.BlocksPerStage; k++) sites.Add(ResNet18K.BlockName(s, k));
            streams[s] = b.Group($"stream{s}", ResNet18K.StageWidth(model.Width, s), sites.ToArray());
        }
        b.Conv("stem", streams[1], null, bias: false);
        for (int s = 1; s <= ResNet18K.Stages; s++)
            for (int k = 0; k < ResNet18K.BlocksPerStage; k++)
            {
                string block = ResNet18K.BlockName(s, k);
                string input = ResNet18K.HasShortcut(s, k) ? streams[s - 1] : streams[s];
                string inner = b.Group($"{block}.inner", ResNet18K.StageWidth(model.Width, s), $"{block}.relu2");
                b.BatchNorm($"{block}.bn1", input);
                b.Conv($"{block}.conv1", inner, input, bias: false);
                b.BatchNorm($"{block}.bn2", inner);
                b.Conv($"{block}.conv2", streams[s], inner, bias: false);
                if (ResNet18K.HasShortcut(s, k)) b.Conv($"{block}.shortcut", streams[s], input, bias: false);
            }
        b.BatchNorm("bn", streams[ResNet18K.Stages]);
        b.Dense("head", null, streams[ResNet18K.Stages]);
        return b.Build();
    }
}

/// <summary>Collects groups and tensor axes in the vocabulary of layers (dense, conv, BatchNorm).</summary>
public sealed class PermutationSpecBuilder
{
    readonly List<PermutationGroup> groups = new();
    readonly List<TensorAxes> tensors = new();

    /// <summary>Declares a group and returns its name.</summary>
    public string Group(string name, long size, params string[] activationSites)
    {
        groups.Add(new PermutationGroup(name, size, activationSites));
        return name;
    }

    public PermutationSpecBuilder Tensor(string name, params string?[] axes)
    {
        tensors.Add(new TensorAxes(name, axes));
        return this;
    }

    /// <summary>A linear layer: weight [out, in], bias [out].</summary>
    public PermutationSpecBuilder Dense(string prefix, string? output, string? input, bool bias = true)
    {
        Tensor($"{prefix}.weight", output, input);
        return bias ? Tensor($"{prefix}.bias", output) : this;
    }

    /// <summary>A 2-D convolution: weight [out, in, kh, kw], bias [out]; kernel axes are never permuted.</summary>
    public PermutationSpecBuilder Conv(string prefix, string? output, string? input, bool bias)
    {
        Tensor($"{prefix}.weight", output, input, null, null);
        return bias ? Tensor($"{prefix}.bias", output) : this;
    }

    /// <summary>BatchNorm's affine parameters and running statistics follow their units; the batch counter has no axes.</summary>
    public PermutationSpecBuilder BatchNorm(string prefix, string group)
    {
        foreach (var entry in new[] { "weight", "bias", "running_mean", "running_var" }) Tensor($"{prefix}.{entry}", group);
        return Tensor($"{prefix}.num_batches_tracked");
    }

    public PermutationSpec Build() => new(groups.ToList(), tensors.ToList());
}
