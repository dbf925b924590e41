using LossLandscape.Data;
using LossLandscape.Geometry;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Curvature;

/// <summary>
/// The Hessian of a model's mean cross-entropy loss on a fixed dataset, as an operator v -> Hv. This is the one
/// place that decides how curvature walks the data: every product covers all of <see cref="Data"/>, in batches
/// whose Hessian-vector products are weighted by batch size / N, so the operator is the same matrix whatever the
/// batch size and whichever algorithm asks (Lanczos needs the same matrix at every step).
/// <para>
/// Products are taken in eval mode, as PyHessian does: the loss must be one fixed function of the weights, and in
/// train mode BatchNorm would normalise by each batch's statistics (making the matrix depend on the batching and
/// updating running statistics as a side effect) and dropout would draw new masks. The model's mode is restored.
/// </para>
/// <para>
/// Hessian-vector products use double backprop: g = dL/dw with a graph, then d&lt;g, v&gt;/dw. The vector layout is
/// <see cref="ParameterLayout"/>'s, so products can be compared with <see cref="ParameterVector"/> vectors.
/// </para>
/// </summary>
public sealed class HessianOperator : ILinearOperator
{
    readonly nn.Module<Tensor, Tensor> model;
    readonly int batchSize;

    public HessianOperator(nn.Module<Tensor, Tensor> model, Dataset data, int batchSize = 512)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "at least one sample per batch");
        if (data.Count == 0) throw new LandscapeException("the Hessian needs at least one sample");
        var parameters = model.parameters().Cast<Tensor>().ToList();
        if (parameters.Count == 0) throw new LandscapeException("the model has no parameters");
        DType = parameters[0].dtype;
        Device = parameters[0].device;
        if (!LinearOperatorChecks.IsFloating(DType)) throw new LandscapeException($"parameters of dtype {DType} have no Hessian");
        if (!LinearOperatorChecks.IsFloating(data.Inputs.dtype)) throw new LandscapeException($"inputs of dtype {data.Inputs.dtype} cannot feed the model");
        if (!SameDevice(data.Inputs.device, Device) || !SameDevice(data.Labels.device, Device))
            throw new LandscapeException($"the data are on {data.Inputs.device} but the model is on {Device}");
        this.model = model;
        this.batchSize = batchSize;
        Data = data;
        Layout = ParameterLayout.Of(model);
        Dimension = Layout.Dimension;
        RequireParameters(parameters);
    }

    public Dataset Data { get; }
    public ParameterLayout Layout { get; }
    public long Dimension { get; }
    public ScalarType DType { get; }
    public Device Device { get; }
    public long Products { get; private set; }

    /// <summary>Hv over the whole dataset. Neither the parameters nor their .grad are touched.</summary>
    public Tensor Apply(Tensor v)
    {
        LinearOperatorChecks.RequireVector(this, v);
        var parameters = model.parameters().Cast<Tensor>().ToList();
        RequireParameters(parameters);
        var result = zeros(Dimension, dtype: DType, device: Device);
        using var detached = v.detach();
        using var pieces = new DisposableList(Layout.Split(detached));
        ForEachBatch((loss, weight) =>
        {
            // retain_graph must be given with create_graph: TorchSharp does not infer it, and the second grad
            // walks this graph again.
            var gradients = autograd.grad(new[] { loss }, parameters, retain_graph: true, create_graph: true);
            var directional = ConnectAll(gradients.Zip(pieces.Items, (g, p) => g.mul(p).sum()).Aggregate((a, b) => a.add(b)), parameters);
            var hv = autograd.grad(new[] { directional }, parameters);
            result.add_(cat(hv.Select(h => h.reshape(-1)).ToList()), alpha: weight);
        });
        Products++;
        return result;
    }

    /// <summary>The full-data gradient of the mean loss, flat in layout order.</summary>
    public Tensor Gradient()
    {
        var parameters = model.parameters().Cast<Tensor>().ToList();
        RequireParameters(parameters);
        var result = zeros(Dimension, dtype: DType, device: Device);
        ForEachBatch((loss, weight) =>
        {
            var gradients = autograd.grad(new[] { loss }, parameters);
            result.add_(cat(gradients.Select(g => g.reshape(-1)).ToList()), alpha: weight);
        });
        return result;
    }

    /// <summary>The mean cross-entropy over the whole dataset, in eval mode.</summary>
    public double Loss()
    {
        double total = 0;
        WithEvalMode(() =>
        {
            using var _ = no_grad();
            for (long start = 0; start < Data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long length = Math.Min(batchSize, Data.Count - start);
                total += BatchLoss(start, length).ToDouble() * length;
            }
        });
        return total / Data.Count;
    }

    /// <summary>Runs <paramref name="body"/> on each batch's mean loss (with a graph) and its weight length / N.</summary>
    void ForEachBatch(Action<Tensor, double> body) => WithEvalMode(() =>
    {
        using var gradMode = enable_grad();
        for (long start = 0; start < Data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(batchSize, Data.Count - start);
            var loss = ConnectAll(BatchLoss(start, length), model.parameters().Cast<Tensor>().ToList());
            body(loss, (double)length / Data.Count);
        }
    });

    Tensor BatchLoss(long start, long length)
    {
        var (x, y) = Data.Slice(start, length);
        if (x.dtype != DType) x = x.to(DType);
        return nn.functional.cross_entropy(model.call(x), y);
    }

    void WithEvalMode(Action body)
    {
        bool wasTraining = model.training;
        model.eval();
        try { body(); }
        finally { model.train(wasTraining); }
    }

    /// <summary>
    /// Adds 0 * sum(p) for every parameter, so each parameter is in the graph of <paramref name="scalar"/>.
    /// autograd.grad fails on an input the output does not depend on, and in TorchSharp that failure aborts the
    /// process instead of throwing; this keeps a parameter the loss ignores (or whose gradient is constant) harmless:
    /// its derivative comes back as zeros.
    /// </summary>
    static Tensor ConnectAll(Tensor scalar, IReadOnlyList<Tensor> parameters)
    {
        var connected = scalar;
        foreach (var p in parameters) connected = connected.add(p.sum().mul(0));
        return connected;
    }

    void RequireParameters(IReadOnlyList<Tensor> parameters)
    {
        long count = parameters.Sum(p => p.numel());
        if (count != Dimension) throw new LandscapeException($"the model now has {count} parameters, the operator was built for {Dimension}");
        foreach (var p in parameters)
        {
            // Checked here because autograd.grad on such a tensor would abort the process.
            if (!p.requires_grad) throw new LandscapeException("every parameter must require grad for a Hessian");
            if (p.dtype != DType || !SameDevice(p.device, Device))
                throw new LandscapeException($"parameters changed to {p.dtype} on {p.device} after the operator was built for {DType} on {Device}");
        }
    }

    static bool SameDevice(Device a, Device b) => a.type == b.type && (a.type == DeviceType.CPU || a.index == b.index);

    sealed class DisposableList(IReadOnlyList<Tensor> items) : IDisposable
    {
        public IReadOnlyList<Tensor> Items { get; } = items;
        public void Dispose() { foreach (var t in Items) t.Dispose(); }
    }
}
