namespace LossLandscape.Ensembles;

/// <summary>
/// How the calibrated NLL is measured. Defaults follow Lobacheva et al. 2020: the test set is split at random
/// into 2 folds, 5 times; temperature scaling after averaging.
/// </summary>
/// <param name="Folds">Folds per split; each fold in turn is evaluated with the tau fitted on all other folds.</param>
/// <param name="Repeats">Independent random splits.</param>
/// <param name="Seed">Seeds the splits; every ensemble measured with one seed sees the same splits.</param>
/// <param name="MinLogTemperature">Lower bound of the log tau search.</param>
/// <param name="MaxLogTemperature">Upper bound of the log tau search.</param>
public sealed record CnllSettings(
    TemperatureSetup Setup = TemperatureSetup.AfterAveraging,
    int Folds = 2,
    int Repeats = 5,
    int Seed = 0,
    double MinLogTemperature = TemperatureScaling.DefaultMinLogTemperature,
    double MaxLogTemperature = TemperatureScaling.DefaultMaxLogTemperature)
{
    public void Validate()
    {
        if (Folds < 2) throw new LandscapeException($"the calibrated NLL needs at least 2 folds, got {Folds}");
        if (Repeats < 1) throw new LandscapeException($"the calibrated NLL needs at least 1 repeat, got {Repeats}");
        if (!(MinLogTemperature < MaxLogTemperature)) throw new LandscapeException($"the log-temperature interval [{MinLogTemperature}, {MaxLogTemperature}] is empty");
    }
}

/// <summary>
/// The calibrated NLL of one ensemble: <see cref="Values"/> holds the held-out NLL of every (repeat, fold), in that
/// order (index repeat * Folds + fold), and <see cref="Temperatures"/> the tau fitted for each.
/// <see cref="StandardDeviation"/> is the sample standard deviation (n - 1) of the values.
/// </summary>
public sealed record CnllResult(double Mean, double StandardDeviation, IReadOnlyList<double> Values, IReadOnlyList<double> Temperatures);

/// <summary>
/// The calibrated NLL (CNLL) protocol: shuffle the test set with a seeded generator, cut it into equal folds (sizes
/// differ by at most one), fit tau on all folds but one and measure the NLL on that one, for every fold and every
/// repeat; report the mean and spread of those held-out NLLs. With 2 folds: fit on one half, evaluate on the other.
/// </summary>
public static class CalibratedNll
{
    public static CnllResult Evaluate(MemberLogits ensemble, CnllSettings? settings = null)
    {
        var s = settings ?? new CnllSettings();
        s.Validate();
        int n = ensemble.Samples;
        if (n < s.Folds) throw new LandscapeException($"cannot cut {n} samples into {s.Folds} folds");
        var tempered = TemperatureScaling.Tempered(ensemble, s.Setup);
        var random = new Random(s.Seed);
        var values = new List<double>();
        var temperatures = new List<double>();
        for (int r = 0; r < s.Repeats; r++)
        {
            var order = Enumerable.Range(0, n).ToArray();
            for (int i = n - 1; i > 0; i--) // Fisher-Yates, written out so the split depends only on System.Random's sequence
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            for (int f = 0; f < s.Folds; f++)
            {
                int start = (int)((long)f * n / s.Folds), end = (int)((long)(f + 1) * n / s.Folds);
                var heldOut = order[start..end];
                var fitOn = order[..start].Concat(order[end..]).ToArray();
                double logTau = TemperatureScaling.FitLogTemperature(tempered, fitOn, s.MinLogTemperature, s.MaxLogTemperature);
                values.Add(TemperatureScaling.NllAndSlope(tempered, logTau, heldOut).Nll);
                temperatures.Add(Math.Exp(logTau));
            }
        }
        var (mean, std) = MeanAndStandardDeviation(values);
        return new CnllResult(mean, std, values, temperatures);
    }

    /// <summary>Mean and sample standard deviation (n - 1); the deviation of a single value is 0.</summary>
    internal static (double Mean, double StandardDeviation) MeanAndStandardDeviation(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        if (values.Count < 2) return (mean, 0);
        return (mean, MathNet.Numerics.Statistics.Statistics.StandardDeviation(values));
    }
}
