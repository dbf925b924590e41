using MathNet.Numerics.LinearAlgebra;

namespace LossLandscape.Curvature;

/// <summary>
/// The m x m symmetric tridiagonal matrix T = V^T A V that m Lanczos steps build: diagonal <see cref="Alphas"/>,
/// off-diagonal <see cref="Betas"/> (m - 1 values). <see cref="ResidualNorm"/> is the norm of the part of A v_m
/// left outside the Krylov space (beta_m); it bounds how far the Ritz pairs are from eigenpairs of A.
/// </summary>
public sealed record LanczosTridiagonal(double[] Alphas, double[] Betas, double ResidualNorm)
{
    public int Size => Alphas.Length;

    /// <summary>The tridiagonal of the first <paramref name="m"/> steps (what a run stopped after m products would have built).</summary>
    public LanczosTridiagonal Leading(int m) =>
        m >= Size ? this : new LanczosTridiagonal(Alphas[..m], Betas[..Math.Max(0, m - 1)], m - 1 < Betas.Length ? Betas[m - 1] : ResidualNorm);

    /// <summary>Eigen-decomposition of T: values ascending, vectors as columns (vectors[row, column]).</summary>
    public (double[] Values, double[,] Vectors) Eigen()
    {
        int m = Size;
        if (m == 0) return (Array.Empty<double>(), new double[0, 0]);
        var t = new double[m, m];
        for (int i = 0; i < m; i++)
        {
            t[i, i] = Alphas[i];
            if (i + 1 < m) t[i, i + 1] = t[i + 1, i] = Betas[i];
        }
        var evd = Matrix<double>.Build.DenseOfArray(t).Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, m).OrderBy(i => evd.EigenValues[i].Real).ToArray();
        var values = new double[m];
        var vectors = new double[m, m];
        for (int c = 0; c < m; c++)
        {
            values[c] = evd.EigenValues[order[c]].Real;
            for (int r = 0; r < m; r++) vectors[r, c] = evd.EigenVectors[r, order[c]];
        }
        return (values, vectors);
    }

    /// <summary>
    /// Gauss quadrature of the start vector's spectral measure: nodes are the Ritz values, weights the squared
    /// first components of T's eigenvectors (they sum to 1). Exact for polynomials of degree up to 2m - 1.
    /// </summary>
    public (double[] Nodes, double[] Weights) Quadrature()
    {
        var (values, vectors) = Eigen();
        var weights = new double[values.Length];
        for (int c = 0; c < values.Length; c++) weights[c] = vectors[0, c] * vectors[0, c];
        return (values, weights);
    }
}
