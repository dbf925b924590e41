namespace LossLandscape.Reporting;

/// <summary>
/// Spectral densities (e.g. of Hessian eigenvalues from stochastic Lanczos quadrature) as line plots with the
/// conventional labels. Densities span many decades, so the y axis is log10 unless asked otherwise; points
/// with zero density are then left out.
/// </summary>
public static class DensityPlot
{
    /// <summary>One density curve; add more with <see cref="LinePlot.Add"/> on the result (e.g. one per epoch).</summary>
    public static LinePlot Create(string title, IReadOnlyList<double> eigenvalues, IReadOnlyList<double> density,
        string name = "density", bool logDensity = true, string xLabel = "eigenvalue λ", FigureStyle? style = null) =>
        new LinePlot(title, xLabel, logDensity ? "density (log scale)" : "density", style)
        {
            YScale = logDensity ? AxisScale.Log10 : AxisScale.Linear,
        }.Add(name, eigenvalues, density);
}
