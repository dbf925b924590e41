using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Curvature;

/// <summary>
/// The Lanczos recurrence with full reorthogonalisation, one step at a time; <see cref="Lanczos"/> and
/// <see cref="SpectralDensity"/> drive it. Every new vector is orthogonalised twice against the whole basis
/// ("twice is enough"), because without it rounding lets converged Ritz values reappear as spurious copies,
/// which would corrupt both top-k eigenvalues and SLQ weights. The basis costs memory: one vector per step.
/// </summary>
internal sealed class LanczosProcess : IDisposable
{
    readonly ILinearOperator op;
    readonly List<double> alphas = new();
    readonly List<double> betas = new();
    Tensor basis;          // rows 0..Count-1 are v_1..v_Count; grows by doubling
    Tensor? next;          // v_{Count+1}, or null after a breakdown
    double normEstimate;   // largest ||A v|| seen: the scale for "numerically zero"

    public LanczosProcess(ILinearOperator op, Tensor start, int expectedSteps)
    {
        LinearOperatorChecks.RequireVector(op, start, nameof(start));
        this.op = op;
        using var _ = no_grad();
        double norm = start.norm().ToDouble();
        if (!(norm > 0) || double.IsInfinity(norm)) throw new ArgumentException("the start vector must be finite and non-zero", nameof(start));
        int capacity = (int)Math.Max(1, Math.Min(expectedSteps, op.Dimension));
        basis = zeros(new long[] { capacity, op.Dimension }, dtype: op.DType, device: op.Device).DetachFromDisposeScope();
        next = start.div(norm).DetachFromDisposeScope();
    }

    public int Count { get; private set; }

    /// <summary>True when the last step found an invariant subspace (beta numerically zero).</summary>
    public bool BrokeDown => next is null;

    public bool CanStep => next is not null && Count < op.Dimension;

    public LanczosTridiagonal Tridiagonal =>
        new(alphas.ToArray(), betas.Take(Math.Max(0, Count - 1)).ToArray(), Count == 0 ? 0 : betas[Count - 1]);

    /// <summary>Below this a residual norm counts as zero (rounding level of the operator's scale).</summary>
    public double NumericalZero => 100 * LinearOperatorChecks.Epsilon(op.DType) * Math.Max(normEstimate, double.Epsilon);

    public void Step()
    {
        if (!CanStep) throw new InvalidOperationException("the Lanczos process cannot take another step");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var v = next!;
        EnsureCapacity(Count + 1);
        basis[Count].copy_(v);
        Count++;
        next = null;
        v.Dispose();
        var vj = basis[Count - 1];

        var w = op.Apply(vj);
        normEstimate = Math.Max(normEstimate, w.norm().ToDouble());
        double alpha = w.dot(vj).ToDouble();
        w.add_(vj, alpha: -alpha);
        if (Count > 1) w.add_(basis[Count - 2], alpha: -betas[Count - 2]);
        Reorthogonalise(w);
        double beta = w.norm().ToDouble();
        alphas.Add(alpha);
        if (beta <= NumericalZero || Count == op.Dimension)
        {
            betas.Add(0);
        }
        else
        {
            betas.Add(beta);
            next = w.div_(beta).DetachFromDisposeScope();
        }
    }

    /// <summary>
    /// After a breakdown, continues from a fresh direction orthogonal to the basis; T becomes block diagonal
    /// (the coupling beta stays 0), which is still exact.
    /// </summary>
    public bool Restart(Tensor random)
    {
        if (next is not null) throw new InvalidOperationException("restart only after a breakdown");
        if (Count >= op.Dimension) return false;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var w = random.clone();
        Reorthogonalise(w);
        double norm = w.norm().ToDouble();
        if (!(norm > 100 * LinearOperatorChecks.Epsilon(op.DType) * random.norm().ToDouble())) return false;
        next = w.div_(norm).DetachFromDisposeScope();
        return true;
    }

    /// <summary>Basis combinations V s for coefficient columns of <paramref name="coefficients"/> (rows: steps): Ritz vectors as rows of [columns.Length, n].</summary>
    public Tensor Combine(double[,] coefficients, IReadOnlyList<int> columns)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var flat = new double[columns.Count * Count];
        for (int k = 0; k < columns.Count; k++)
            for (int r = 0; r < Count; r++)
                flat[k * Count + r] = coefficients[r, columns[k]];
        var s = tensor(flat, new long[] { columns.Count, Count }, dtype: ScalarType.Float64);
        var rows = s.to(op.DType, op.Device).mm(basis.narrow(0, 0, Count));
        return rows.MoveToOuterDisposeScope();
    }

    void Reorthogonalise(Tensor w)
    {
        var active = basis.narrow(0, 0, Count);
        for (int pass = 0; pass < 2; pass++)
        {
            using var coefficients = active.mv(w);
            using var projection = active.t().mv(coefficients);
            w.sub_(projection);
        }
    }

    void EnsureCapacity(int rows)
    {
        if (rows <= basis.shape[0]) return;
        long grown = Math.Min(op.Dimension, Math.Max(rows, 2 * basis.shape[0]));
        var larger = zeros(new long[] { grown, op.Dimension }, dtype: op.DType, device: op.Device).DetachFromDisposeScope();
        larger.narrow(0, 0, Count).copy_(basis.narrow(0, 0, Count));
        basis.Dispose();
        basis = larger;
    }

    public void Dispose()
    {
        basis.Dispose();
        next?.Dispose();
    }
}
