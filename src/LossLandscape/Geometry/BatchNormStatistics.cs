using LossLandscape.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Geometry;

/// <summary>
/// BatchNorm statistics belong to one point in weight space: after moving the weights (along a slice, a
/// segment or a curve) they must be re-estimated, or the loss at t=0 differs from the model's own (a known
/// complaint about the mode-connectivity code). Re-estimation resets the running statistics and sets
/// momentum to null, so that one pass over the data gives their exact cumulative average.
/// </summary>
public static class BatchNormStatistics
{
    public static bool Present(nn.Module model) => model.modules().Any(m => m is NormBase);

    /// <summary>Copies of a model's BatchNorm buffers (running statistics and counters), by state name.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.named_buffers().ToDictionary(b => b.name, b => b.buffer.detach().clone());

    /// <summary>Writes buffers taken by <see cref="Snapshot"/> back into a model of the same architecture.</summary>
    public static void Restore(nn.Module model, IReadOnlyDictionary<string, Tensor> snapshot)
    {
        using var _ = no_grad();
        foreach (var (name, buffer) in model.named_buffers()) buffer.copy_(snapshot[name]);
    }

    /// <summary>Recomputes running mean and variance on <paramref name="data"/> (train mode, no gradients); restores the mode and momenta.</summary>
    public static void Reestimate(nn.Module<Tensor, Tensor> model, Dataset data, int batchSize = 1000)
    {
        var norms = model.modules().OfType<NormBase>().ToList();
        if (norms.Count == 0) return;
        var momenta = norms.Select(n => n.momentum).ToList();
        bool wasTraining = model.training;
        try
        {
            foreach (var n in norms)
            {
                n.reset_running_stats();
                n.momentum = null;
            }
            model.train();
            using var _ = no_grad();
            for (long start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var (x, _) = data.Slice(start, Math.Min(batchSize, data.Count - start));
                model.call(x);
            }
        }
        finally
        {
            for (int i = 0; i < norms.Count; i++) norms[i].momentum = momenta[i];
            model.train(wasTraining);
        }
    }
}
