using static TorchSharp.torch;

namespace LossLandscape.Models;

/// <summary>
/// One permutation per group of a <see cref="PermutationSpec"/>. Index convention (that of index_select):
/// after permuting, unit i of a group holds what was unit perm[i] before. Held as managed arrays so that a
/// set can be kept, compared and composed without owning native tensors.
/// </summary>
public sealed class PermutationSet
{
    readonly Dictionary<string, long[]> indices;

    public PermutationSet(IReadOnlyDictionary<string, long[]> indices)
    {
        foreach (var (group, perm) in indices)
            if (!IsPermutation(perm)) throw new ArgumentException($"the indices of group '{group}' are not a permutation of 0..{perm.Length - 1}");
        this.indices = indices.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }

    public IReadOnlyCollection<string> GroupNames => indices.Keys;

    /// <summary>The permutation of one group (a copy).</summary>
    public long[] this[string group] =>
        indices.TryGetValue(group, out var p) ? p.ToArray() : throw new ArgumentException($"no permutation for group '{group}'");

    /// <summary>The group's permutation as an int64 index tensor (the caller owns it).</summary>
    public Tensor ToTensor(string group, Device? device = null) => tensor(indices[group], device: device);

    public bool IsIdentity => indices.Values.All(p => p.Select((v, i) => v == i).All(x => x));

    public static PermutationSet Identity(PermutationSpec spec) =>
        new(spec.Groups.ToDictionary(g => g.Name, g => Enumerable.Range(0, checked((int)g.Size)).Select(i => (long)i).ToArray()));

    /// <summary>Uniformly random permutations (Fisher-Yates from one seeded stream, groups in spec order).</summary>
    public static PermutationSet Random(PermutationSpec spec, int seed)
    {
        var random = new Random(seed);
        var result = new Dictionary<string, long[]>();
        foreach (var g in spec.Groups)
        {
            var perm = Enumerable.Range(0, checked((int)g.Size)).Select(i => (long)i).ToArray();
            for (int i = perm.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (perm[i], perm[j]) = (perm[j], perm[i]);
            }
            result[g.Name] = perm;
        }
        return new PermutationSet(result);
    }

    /// <summary>The set that undoes this one: applying this, then the inverse, changes nothing.</summary>
    public PermutationSet Inverse()
    {
        var result = new Dictionary<string, long[]>();
        foreach (var (group, perm) in indices)
        {
            var inverse = new long[perm.Length];
            for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
            result[group] = inverse;
        }
        return new PermutationSet(result);
    }

    /// <summary>
    /// Applying the result equals applying this set and then <paramref name="next"/>: unit i ends up holding
    /// what was unit this[next[i]]. Groups present in only one of the two keep that one's permutation.
    /// </summary>
    public PermutationSet Then(PermutationSet next)
    {
        var result = indices.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (group, second) in next.indices)
        {
            if (!indices.TryGetValue(group, out var first)) { result[group] = second; continue; }
            if (first.Length != second.Length) throw new ArgumentException($"group '{group}' has sizes {first.Length} and {second.Length}");
            result[group] = second.Select(j => first[j]).ToArray();
        }
        return new PermutationSet(result);
    }

    /// <summary>A copy with one group's permutation replaced.</summary>
    public PermutationSet With(string group, long[] perm)
    {
        var result = indices.ToDictionary(kv => kv.Key, kv => kv.Value);
        result[group] = perm;
        return new PermutationSet(result);
    }

    public bool SameAs(PermutationSet other) =>
        indices.Count == other.indices.Count &&
        indices.All(kv => other.indices.TryGetValue(kv.Key, out var p) && p.SequenceEqual(kv.Value));

    static bool IsPermutation(long[] perm)
    {
        var seen = new bool[perm.Length];
        foreach (var v in perm)
        {
            if (v < 0 || v >= perm.Length || seen[v]) return false;
            seen[v] = true;
        }
        return true;
    }
}
