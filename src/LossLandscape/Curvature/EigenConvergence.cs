namespace LossLandscape.Curvature;

/// <summary>
/// How many operator products Lanczos and power iteration need before their estimates of the top k eigenvalues
/// are all within a relative tolerance of the converged values.
/// </summary>
/// <param name="Reference">Top-k eigenvalues from Lanczos run to a tight tolerance.</param>
/// <param name="LanczosProducts">Products after which all k top Ritz values are within tolerance (null: never within the budget).</param>
/// <param name="PowerProducts">
/// Products power iteration with deflation needs: for each eigenvalue, the products after which its estimate is
/// within tolerance and stays there, summed over the k eigenvalues (as if each had stopped at exactly the right
/// moment, so this count favours power iteration). Null when one never gets there within the budget.
/// </param>
public sealed record ConvergenceComparison(double[] Reference, double Tolerance, int? LanczosProducts, int? PowerProducts, int PowerBudgetPerEigenvalue)
{
    public int K => Reference.Length;
}

public static class EigenConvergence
{
    /// <summary>
    /// One Lanczos run to a tight tolerance gives the reference and, through the leading blocks of its
    /// tridiagonal, what every shorter run would have reported (Krylov subspaces are nested, the seed is the same).
    /// Power iteration runs without its early stop and records its estimate after every product.
    /// </summary>
    public static ConvergenceComparison TopEigenvalues(ILinearOperator op, int k = 1, double tolerance = 1e-3, int lanczosBudget = 100,
        int powerBudget = 300, int seed = 0)
    {
        var lanczos = Lanczos.TopEigenvalues(op, new LanczosSettings(k, lanczosBudget, 1e-10, seed));
        var reference = lanczos.Eigenvalues;
        bool Close(double estimate, int j) => Math.Abs(estimate - reference[j]) <= tolerance * Math.Abs(reference[j]);
        int? lanczosProducts = null;
        for (int m = k; m <= lanczos.Tridiagonal.Size && lanczosProducts is null; m++)
        {
            var ritz = lanczos.Tridiagonal.Leading(m).Eigen().Values.Reverse().Take(k).ToArray();
            if (ritz.Length == k && ritz.Select((r, j) => Close(r, j)).All(c => c)) lanczosProducts = m;
        }
        var power = PowerIteration.TopEigenvalues(op, new PowerIterationSettings(k, powerBudget, 0, seed));
        power.Eigenvectors.Dispose();
        int? powerProducts = 0;
        for (int j = 0; j < k && powerProducts is not null; j++)
        {
            var history = power.Estimates[j];
            int? first = null;
            for (int i = history.Length - 1; i >= 0 && Close(history[i], j); i--) first = i + 1;
            powerProducts = first is { } f ? powerProducts + f : null;
        }
        return new ConvergenceComparison(reference, tolerance, lanczosProducts, powerProducts, powerBudget);
    }
}
