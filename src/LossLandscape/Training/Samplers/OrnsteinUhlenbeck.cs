using MathNet.Numerics.LinearAlgebra;

namespace LossLandscape.Training.Samplers;

/// <summary>
/// Constant-step SGD near a minimum as an Ornstein-Uhlenbeck process (Mandt, Hoffman &amp; Blei 2017). On a quadratic
/// loss 1/2 theta^T H theta whose per-sample gradients scatter around the full gradient with covariance C, one SGD step
/// with learning rate eta and batch size S is theta' = (I - eta H) theta - eta xi with Cov(xi) = C / S, so its noise has
/// covariance eta^2 C / S. In the small-eta limit the iterates follow dtheta = -H theta dt + sqrt(eta C / S) dW (time in
/// units of eta), whose stationary covariance solves H Sigma + Sigma H^T = (eta / S) C: a temperature proportional to
/// eta / S. The exact stationary covariance of the discrete iteration solves Sigma = A Sigma A^T + eta^2 C / S with
/// A = I - eta H; the two differ by O(eta ||H||).
/// </summary>
public static class OrnsteinUhlenbeck
{
    /// <summary>The OU prediction: Sigma with H Sigma + Sigma H^T = (eta / S) C.</summary>
    public static Matrix<double> SgdCovariance(Matrix<double> hessian, Matrix<double> gradientCovariance, double learningRate, int batchSize)
    {
        Check(hessian, gradientCovariance, learningRate, batchSize);
        return Lyapunov(hessian, gradientCovariance * (learningRate / batchSize));
    }

    /// <summary>The exact stationary covariance of the SGD iteration: Sigma = (I - eta H) Sigma (I - eta H)^T + eta^2 C / S.</summary>
    public static Matrix<double> SgdCovarianceExact(Matrix<double> hessian, Matrix<double> gradientCovariance, double learningRate, int batchSize)
    {
        Check(hessian, gradientCovariance, learningRate, batchSize);
        var a = Matrix<double>.Build.DenseIdentity(hessian.RowCount) - learningRate * hessian;
        return DiscreteLyapunov(a, gradientCovariance * (learningRate * learningRate / batchSize));
    }

    /// <summary>
    /// Solves the continuous Lyapunov equation A X + X A^T = Q through its Kronecker form
    /// (I (x) A + A (x) I) vec X = vec Q; suits the small dimensions it is meant for (d^2 unknowns).
    /// </summary>
    public static Matrix<double> Lyapunov(Matrix<double> a, Matrix<double> q)
    {
        var identity = Matrix<double>.Build.DenseIdentity(a.RowCount);
        return SolveVectorised(identity.KroneckerProduct(a) + a.KroneckerProduct(identity), q);
    }

    /// <summary>Solves the discrete Lyapunov equation X = A X A^T + Q through (I - A (x) A) vec X = vec Q.</summary>
    public static Matrix<double> DiscreteLyapunov(Matrix<double> a, Matrix<double> q)
    {
        int n = a.RowCount;
        return SolveVectorised(Matrix<double>.Build.DenseIdentity(n * n) - a.KroneckerProduct(a), q);
    }

    /// <summary>||A - B||_F / ||B||_F.</summary>
    public static double RelativeFrobeniusError(Matrix<double> estimate, Matrix<double> reference) =>
        (estimate - reference).FrobeniusNorm() / reference.FrobeniusNorm();

    static Matrix<double> SolveVectorised(Matrix<double> system, Matrix<double> q)
    {
        int n = q.RowCount;
        if (q.ColumnCount != n || system.RowCount != n * n) throw new ArgumentException("a Lyapunov equation needs square matrices of one size");
        // vec stacks columns; MathNet's dense storage is column-major, so the values are vec(Q) as they lie.
        var x = system.Solve(Vector<double>.Build.DenseOfArray(q.ToColumnMajorArray()));
        if (x.Any(v => !double.IsFinite(v))) throw new LandscapeException("the Lyapunov equation has no unique solution (is the matrix stable?)");
        var solution = Matrix<double>.Build.Dense(n, n, x.ToArray());
        return (solution + solution.Transpose()) / 2; // symmetric in exact arithmetic; remove rounding asymmetry
    }

    static void Check(Matrix<double> hessian, Matrix<double> covariance, double learningRate, int batchSize)
    {
        if (hessian.RowCount != hessian.ColumnCount || covariance.RowCount != hessian.RowCount || covariance.ColumnCount != hessian.RowCount)
            throw new ArgumentException("H and C must be square and of one size");
        if (!(learningRate > 0)) throw new LandscapeException($"the learning rate must be positive, got {learningRate}");
        if (batchSize < 1) throw new LandscapeException($"the batch size must be at least 1, got {batchSize}");
    }
}
