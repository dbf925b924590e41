using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Connectivity;

/// <summary>
/// Settings of weight matching. <paramref name="Seed"/> orders the groups visited in each round;
/// <paramref name="IncludeBuffers"/> adds BatchNorm running statistics to the objective (off by default:
/// they are functions of the weights and the data rather than free coordinates, and Git Re-Basin matches
/// parameters only).
/// </summary>
public sealed record WeightMatchingSettings(int Seed = 0, int MaxRounds = 100, bool IncludeBuffers = false);

/// <summary>
/// Permutations to apply to model B to align it with model A, the rounds of coordinate ascent that found
/// them (the last round improved nothing, unless the limit stopped it) and the objective after each round.
/// </summary>
public sealed record WeightMatchingResult(PermutationSet Permutations, int Rounds, IReadOnlyList<double> ObjectivePerRound, bool Converged);

/// <summary>
/// Weight matching (Ainsworth et al. 2022, "Git Re-Basin", algorithm 1): maximise
/// sum over tensors of &lt;W_A, P(W_B)&gt; over the permutations P of a <see cref="PermutationSpec"/>.
/// The objective is linear in each group's permutation matrix when the others are fixed, so each step
/// is one linear assignment; groups are visited in a seeded random order until a full round improves
/// nothing. Only a local optimum in general, but exact when B is a permutation of A.
/// </summary>
public static class WeightMatching
{
    public static WeightMatchingResult Match(LandscapeModel a, LandscapeModel b, WeightMatchingSettings? settings = null)
    {
        settings ??= new WeightMatchingSettings();
        if (a.Spec != b.Spec) throw new ArgumentException($"cannot match {a.Spec} with {b.Spec}");
        var spec = PermutationSpec.For(a);
        var names = settings.IncludeBuffers
            ? a.state_dict().Where(kv => kv.Value.is_floating_point()).Select(kv => kv.Key).ToHashSet()
            : a.named_parameters().Select(p => p.name).ToHashSet();
        var stateA = a.state_dict().Where(kv => names.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var stateB = b.state_dict().Where(kv => names.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return Match(spec, stateA, stateB, settings);
    }

    /// <summary>Matches the tensors present in both dictionaries (all must be in the spec); the inputs are not changed.</summary>
    public static WeightMatchingResult Match(PermutationSpec spec, IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b,
        WeightMatchingSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxRounds, 1);
        var wa = new Dictionary<string, Tensor>();
        var wb = new Dictionary<string, Tensor>();
        try
        {
            using (no_grad())
                foreach (var name in a.Keys.Where(b.ContainsKey))
                {
                    if (!a[name].shape.SequenceEqual(b[name].shape)) throw new ArgumentException($"'{name}' differs in shape between the models");
                    // Double precision: the costs are sums of many products, compared to tell improvement from noise.
                    wa[name] = a[name].detach().to(ScalarType.Float64);
                    wb[name] = b[name].detach().to(ScalarType.Float64);
                }
            return Ascend(spec, wa, wb, settings);
        }
        finally
        {
            foreach (var t in wa.Values.Concat(wb.Values)) t.Dispose();
        }
    }

    static WeightMatchingResult Ascend(PermutationSpec spec, Dictionary<string, Tensor> wa, Dictionary<string, Tensor> wb, WeightMatchingSettings settings)
    {
        var perms = PermutationSet.Identity(spec);
        var random = new Random(settings.Seed);
        var objectives = new List<double>();
        var groups = spec.Groups.Select(g => g.Name).ToArray();
        bool converged = false;
        while (objectives.Count < settings.MaxRounds && !converged)
        {
            random.Shuffle(groups);
            bool improved = false;
            foreach (var group in groups)
            {
                var cost = Cost(spec, perms, group, wa, wb);
                var current = perms[group];
                var candidate = LinearAssignment.Maximize(cost);
                double before = LinearAssignment.Value(cost, current), after = LinearAssignment.Value(cost, candidate);
                // Keep the old permutation on ties, so that the objective never decreases and rounds end.
                if (after > before + 1e-12 * Math.Max(1, Math.Abs(before)))
                {
                    perms = perms.With(group, candidate);
                    improved = true;
                }
            }
            objectives.Add(Objective(spec, perms, wa, wb));
            converged = !improved;
        }
        return new WeightMatchingResult(perms, objectives.Count, objectives, converged);
    }

    /// <summary>
    /// C[i, j] = sum over the tensors on this group of &lt;unit i of A, unit j of B&gt;, B permuted by every
    /// other group: choosing perm maximising sum_i C[i, perm[i]] is the best move for this group alone.
    /// </summary>
    static double[,] Cost(PermutationSpec spec, PermutationSet perms, string group, Dictionary<string, Tensor> wa, Dictionary<string, Tensor> wb)
    {
        using var scope = NewDisposeScope();
        int n = checked((int)spec.Group(group).Size);
        var cost = zeros(n, n, dtype: ScalarType.Float64, device: wa.Values.FirstOrDefault()?.device ?? CPU);
        foreach (var (name, axis) in spec.Members(group))
        {
            if (!wa.TryGetValue(name, out var tensorA)) continue;
            var tensorB = Permutation.ApplyToTensor(spec, perms, name, wb[name], exceptGroup: group);
            var unitsA = tensorA.movedim(new long[] { axis }, new long[] { 0 }).reshape(n, -1);
            var unitsB = tensorB.movedim(new long[] { axis }, new long[] { 0 }).reshape(n, -1);
            cost.add_(unitsA.matmul(unitsB.t()));
        }
        var values = cost.cpu().data<double>().ToArray();
        var result = new double[n, n];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(double));
        return result;
    }

    /// <summary>sum over the matched tensors of &lt;W_A, P(W_B)&gt;.</summary>
    public static double Objective(PermutationSpec spec, PermutationSet perms, IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b)
    {
        using var scope = NewDisposeScope();
        double total = 0;
        foreach (var (name, tensorA) in a)
        {
            if (!b.TryGetValue(name, out var tensorB)) continue;
            var permuted = Permutation.ApplyToTensor(spec, perms, name, tensorB);
            total += tensorA.to(ScalarType.Float64).mul(permuted.to(ScalarType.Float64)).sum().item<double>();
        }
        return total;
    }
}
