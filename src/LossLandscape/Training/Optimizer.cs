using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Training;

/// <summary>
/// A first-order optimiser over named parameters whose whole state is a set of named tensors, so that a run
/// can be stopped and resumed bit for bit. The learning rate is passed to every step (schedules live outside).
/// Written here rather than taken from torch.optim because later experiments (SGLD, sphere projection, curve
/// bends) need to own the update, and because the state must round-trip through our checkpoint format.
/// </summary>
public abstract class Optimizer : IDisposable
{
    protected Optimizer(IReadOnlyList<(string Name, Tensor Parameter)> parameters) => Parameters = parameters;

    public IReadOnlyList<(string Name, Tensor Parameter)> Parameters { get; }

    public static Optimizer Create(OptimizerSettings settings, IReadOnlyList<(string Name, Tensor Parameter)> parameters)
    {
        settings.Validate();
        return settings.Kind switch
        {
            OptimizerKind.Sgd => new Sgd(settings, parameters),
            OptimizerKind.Adam => new Adam(settings, parameters),
            _ => throw new LandscapeException($"unknown optimiser {settings.Kind}"),
        };
    }

    public void ZeroGrad()
    {
        foreach (var (_, p) in Parameters)
            p.grad?.zero_();
    }

    /// <summary>Applies one update with learning rate <paramref name="lr"/> using the gradients in p.grad.</summary>
    public abstract void Step(double lr);

    /// <summary>The optimiser's state as named tensors (views of the live buffers; callers copy if they keep them).</summary>
    public abstract IEnumerable<KeyValuePair<string, Tensor>> State();

    /// <summary>Restores the state written by <see cref="State"/> (copies into the live buffers).</summary>
    public abstract void LoadState(IReadOnlyDictionary<string, Tensor> state);

    protected static Tensor Require(IReadOnlyDictionary<string, Tensor> state, string name) =>
        state.TryGetValue(name, out var t) ? t : throw new LandscapeException($"resume state lacks optimiser buffer '{name}'");

    public virtual void Dispose() { }
}

/// <summary>SGD with optional (Nesterov) momentum and L2 weight decay, with torch.optim.SGD's update rule (dampening 0).</summary>
public sealed class Sgd : Optimizer
{
    readonly OptimizerSettings settings;
    readonly Tensor?[] momentum;

    public Sgd(OptimizerSettings settings, IReadOnlyList<(string Name, Tensor Parameter)> parameters) : base(parameters)
    {
        this.settings = settings;
        momentum = new Tensor?[parameters.Count];
    }

    public override void Step(double lr)
    {
        using var _ = no_grad();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i].Parameter;
            var g = p.grad;
            if (g is null) continue;
            using var scope = NewDisposeScope();
            var d = settings.WeightDecay != 0 ? g.add(p, alpha: settings.WeightDecay) : g;
            if (settings.Momentum != 0)
            {
                if (momentum[i] is null) momentum[i] = d.detach().clone().DetachFromDisposeScope(); // lives as long as the optimiser
                else momentum[i]!.mul_(settings.Momentum).add_(d);
                d = settings.Nesterov ? d.add(momentum[i]!, alpha: settings.Momentum) : momentum[i]!;
            }
            p.add_(d, alpha: -lr);
        }
    }

    public override IEnumerable<KeyValuePair<string, Tensor>> State()
    {
        for (int i = 0; i < Parameters.Count; i++)
            if (momentum[i] is { } m) yield return KeyValuePair.Create($"momentum.{Parameters[i].Name}", m);
    }

    public override void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            momentum[i]?.Dispose();
            momentum[i] = state.TryGetValue($"momentum.{Parameters[i].Name}", out var m)
                ? m.to(Parameters[i].Parameter.device).clone().DetachFromDisposeScope()
                : null;
        }
    }

    public override void Dispose()
    {
        foreach (var m in momentum) m?.Dispose();
    }
}

/// <summary>Adam with torch.optim.Adam's update rule (bias-corrected moments, L2 weight decay in the gradient).</summary>
public sealed class Adam : Optimizer
{
    readonly OptimizerSettings settings;
    readonly Tensor[] first, second;
    long steps;

    public Adam(OptimizerSettings settings, IReadOnlyList<(string Name, Tensor Parameter)> parameters) : base(parameters)
    {
        this.settings = settings;
        first = parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
        second = parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
    }

    public override void Step(double lr)
    {
        using var _ = no_grad();
        steps++;
        double correction1 = 1 - Math.Pow(settings.Beta1, steps), correction2 = 1 - Math.Pow(settings.Beta2, steps);
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i].Parameter;
            var g = p.grad;
            if (g is null) continue;
            using var scope = NewDisposeScope();
            var d = settings.WeightDecay != 0 ? g.add(p, alpha: settings.WeightDecay) : g;
            first[i].mul_(settings.Beta1).add_(d, alpha: 1 - settings.Beta1);
            second[i].mul_(settings.Beta2).addcmul_(d, d, value: 1 - settings.Beta2);
            var denominator = second[i].sqrt().div_(Math.Sqrt(correction2)).add_(settings.Epsilon);
            p.addcdiv_(first[i], denominator, value: -lr / correction1);
        }
    }

    public override IEnumerable<KeyValuePair<string, Tensor>> State()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            yield return KeyValuePair.Create($"adam_m.{Parameters[i].Name}", first[i]);
            yield return KeyValuePair.Create($"adam_v.{Parameters[i].Name}", second[i]);
        }
        yield return KeyValuePair.Create("adam_steps", tensor(steps));
    }

    public override void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        for (int i = 0; i < Parameters.Count; i++)
        {
            first[i].copy_(Require(state, $"adam_m.{Parameters[i].Name}"));
            second[i].copy_(Require(state, $"adam_v.{Parameters[i].Name}"));
        }
        steps = Require(state, "adam_steps").item<long>();
    }

    public override void Dispose()
    {
        foreach (var t in first.Concat(second)) t.Dispose();
    }
}
