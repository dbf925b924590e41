namespace LossLandscape.Ensembles;

/// <summary>
/// Class probabilities of a classifier (usually an ensemble) on labelled samples, stored as natural logs so that
/// the negative log-likelihood stays exact where probabilities underflow. The metrics are the ones of the
/// deep-ensembles literature; every one is a mean over samples.
/// </summary>
public sealed class EnsemblePrediction
{
    readonly double[] logProbabilities; // [Samples, Classes], row-major
    readonly int[] labels;

    internal EnsemblePrediction(double[] logProbabilities, int samples, int classes, int[] labels)
    {
        this.logProbabilities = logProbabilities;
        this.labels = labels;
        Samples = samples;
        Classes = classes;
    }

    /// <summary>
    /// A prediction given as probabilities p[samples, classes] (rows should sum to 1; they are not renormalised,
    /// so the metrics describe exactly the numbers given).
    /// </summary>
    public static EnsemblePrediction FromProbabilities(double[,] probabilities, IReadOnlyList<int> labels)
    {
        int n = probabilities.GetLength(0), k = probabilities.GetLength(1);
        if (labels.Count != n) throw new LandscapeException($"{labels.Count} labels for {n} samples");
        var logs = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < k; c++)
            {
                double p = probabilities[i, c];
                if (!(p >= 0 && p <= 1)) throw new LandscapeException($"probability [{i}, {c}] = {p} is outside [0, 1]");
                logs[i * k + c] = Math.Log(p);
            }
        var y = labels.ToArray();
        int bad = Array.FindIndex(y, v => v < 0 || v >= k);
        if (bad >= 0) throw new LandscapeException($"label {y[bad]} of sample {bad} is outside [0, {k})");
        return new EnsemblePrediction(logs, n, k, y);
    }

    public int Samples { get; }
    public int Classes { get; }
    public IReadOnlyList<int> Labels => labels;

    /// <summary>log p(class | sample).</summary>
    public double LogProbability(int sample, int @class) => logProbabilities[sample * Classes + @class];

    /// <summary>The probabilities as a [samples, classes] array.</summary>
    public double[,] Probabilities()
    {
        var p = new double[Samples, Classes];
        for (int i = 0; i < Samples; i++)
            for (int c = 0; c < Classes; c++) p[i, c] = Math.Exp(logProbabilities[i * Classes + c]);
        return p;
    }

    /// <summary>The predicted class: the most probable one (the lowest class index among ties).</summary>
    public int PredictedClass(int sample)
    {
        var row = Row(sample);
        int best = 0;
        for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
        return best;
    }

    /// <summary>Fraction of samples whose <see cref="PredictedClass"/> is the label.</summary>
    public double Accuracy()
    {
        int correct = 0;
        for (int i = 0; i < Samples; i++) if (PredictedClass(i) == labels[i]) correct++;
        return (double)correct / Samples;
    }

    /// <summary>Negative log-likelihood: the mean over samples of -log p(y_i | x_i), in nats.</summary>
    public double Nll()
    {
        double sum = 0;
        for (int i = 0; i < Samples; i++) sum -= LogProbability(i, labels[i]);
        return sum / Samples;
    }

    /// <summary>
    /// Expected calibration error of the top-1 prediction: confidence = max_k p_k, bins of equal width on [0, 1]
    /// closed on the right, (j/B, (j+1)/B] for j = 0..B-1 (a confidence of exactly 0 joins the first bin);
    /// ECE = sum over non-empty bins of (|bin| / N) |accuracy(bin) - mean confidence(bin)|. B = 15 is the standard.
    /// </summary>
    public double ExpectedCalibrationError(int bins = 15)
    {
        if (bins < 1) throw new LandscapeException($"ECE needs at least one bin, got {bins}");
        var count = new int[bins];
        var confidence = new double[bins];
        var correct = new double[bins];
        for (int i = 0; i < Samples; i++)
        {
            int predicted = PredictedClass(i);
            double p = Math.Exp(LogProbability(i, predicted));
            int bin = 0;
            while (bin < bins - 1 && p > (double)(bin + 1) / bins) bin++; // upper edges (j+1)/B belong to bin j
            count[bin]++;
            confidence[bin] += p;
            if (predicted == labels[i]) correct[bin]++;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++)
            if (count[b] > 0) ece += Math.Abs(correct[b] - confidence[b]) / Samples; // (|B|/N) |acc - conf| = |correct - sum conf| / N
        return ece;
    }

    /// <summary>
    /// Brier score: the mean over samples of sum over classes of (p_k - [k = y])^2, so it lies in [0, 2]
    /// (summed over classes, not averaged over them).
    /// </summary>
    public double Brier()
    {
        double sum = 0;
        for (int i = 0; i < Samples; i++)
        {
            var row = Row(i);
            for (int c = 0; c < Classes; c++)
            {
                double d = Math.Exp(row[c]) - (c == labels[i] ? 1 : 0);
                sum += d * d;
            }
        }
        return sum / Samples;
    }

    internal double[] LogProbabilitiesFlat => logProbabilities;

    ReadOnlySpan<double> Row(int sample) => new(logProbabilities, sample * Classes, Classes);
}
