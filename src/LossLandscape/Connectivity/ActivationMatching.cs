using LossLandscape.Models;
using static TorchSharp.torch;

namespace LossLandscape.Connectivity;

/// <summary>
/// Activation matching (Ainsworth et al. 2022; Li et al. 2015, "convergent learning"): pair the units of
/// model B with those of model A whose activations on the same inputs correlate best. Each group of the
/// <see cref="PermutationSpec"/> is observed at its activation sites (channel axis 1, every sample and
/// spatial position a row; a residual stream's sites are stacked) and matched by one linear assignment on
/// the Pearson correlation matrix. Unlike weight matching, groups are matched independently.
/// </summary>
public static class ActivationMatching
{
    /// <summary>Permutations of B's units that align them with A's on <paramref name="inputs"/> (models evaluated in eval mode).</summary>
    public static PermutationSet Match(LandscapeModel a, LandscapeModel b, Tensor inputs)
    {
        if (a.Spec != b.Spec) throw new ArgumentException($"cannot match {a.Spec} with {b.Spec}");
        var spec = PermutationSpec.For(a);
        var activationsA = Record(a, spec, inputs);
        var activationsB = Record(b, spec, inputs);
        try
        {
            var result = new Dictionary<string, long[]>();
            foreach (var group in spec.Groups)
                result[group.Name] = LinearAssignment.Maximize(Correlation(group, activationsA, activationsB));
            return new PermutationSet(result);
        }
        finally
        {
            foreach (var t in activationsA.Values.Concat(activationsB.Values)) t.Dispose();
        }
    }

    /// <summary>
    /// corr[i, j] between unit i of A and unit j of B over all rows. A unit that never varies (a dead
    /// ReLU) correlates 0 with everything rather than NaN.
    /// </summary>
    public static double[,] Correlation(PermutationGroup group, IReadOnlyDictionary<string, Tensor> activationsA, IReadOnlyDictionary<string, Tensor> activationsB)
    {
        using var scope = NewDisposeScope();
        int n = checked((int)group.Size);
        Tensor Rows(IReadOnlyDictionary<string, Tensor> activations) =>
            cat(group.ActivationSites.Select(site => Units(activations[site], n)).ToList(), 0);
        var standardA = Standardize(Rows(activationsA));
        var standardB = Standardize(Rows(activationsB));
        var correlation = standardA.t().matmul(standardB).div_(standardA.shape[0]);
        var values = correlation.cpu().data<double>().ToArray();
        var result = new double[n, n];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(double));
        return result;
    }

    /// <summary>[N, C, ...] to [rows, C] in double precision.</summary>
    static Tensor Units(Tensor activation, int n)
    {
        if (activation.dim() < 2 || activation.shape[1] != n)
            throw new ArgumentException($"an activation of shape [{string.Join(",", activation.shape)}] does not carry {n} units on axis 1");
        return activation.movedim(new long[] { 1 }, new long[] { -1 }).reshape(-1, n).to(ScalarType.Float64);
    }

    static Tensor Standardize(Tensor rows)
    {
        var centred = rows - rows.mean(new long[] { 0 }, keepdim: true);
        var std = centred.square().mean(new long[] { 0 }, keepdim: true).sqrt();
        return centred.div_(std.clamp_min(1e-12));
    }

    /// <summary>The outputs of every activation site of the spec on one forward pass (copies, owned by the caller).</summary>
    static Dictionary<string, Tensor> Record(LandscapeModel model, PermutationSpec spec, Tensor inputs)
    {
        var sites = spec.Groups.SelectMany(g => g.ActivationSites).ToHashSet();
        var modules = model.named_modules().Where(m => sites.Contains(m.name)).ToDictionary(m => m.name, m => m.module);
        foreach (var site in sites)
            if (!modules.ContainsKey(site)) throw new ArgumentException($"the model has no submodule '{site}' to observe");
        var recorded = new Dictionary<string, Tensor>();
        var removers = new List<Action>();
        bool wasTraining = model.training;
        try
        {
            foreach (var (name, module) in modules)
            {
                if (module is not nn.Module<Tensor, Tensor> typed) throw new ArgumentException($"cannot observe submodule '{name}'");
                // The forward pass disposes its intermediates with its scope; the copy must outlive it.
                var hook = typed.register_forward_hook((_, _, output) =>
                {
                    recorded[name] = output.detach().clone().DetachFromDisposeScope();
                    return output;
                });
                removers.Add(() => hook.remove());
            }
            model.eval();
            using var _ = no_grad();
            using var logits = model.call(inputs);
        }
        catch
        {
            foreach (var t in recorded.Values) t.Dispose();
            throw;
        }
        finally
        {
            foreach (var remove in removers) remove();
            model.train(wasTraining);
        }
        return recorded;
    }
}
