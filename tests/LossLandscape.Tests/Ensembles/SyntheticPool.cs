using LossLandscape.Ensembles;
using MathNet.Numerics.Distributions;

namespace LossLandscape.Tests.Ensembles;

/// <summary>Seeded synthetic member logits whose labels are drawn from a known tempered predictive distribution.</summary>
static class SyntheticPool
{
    /// <summary>
    /// Logits z[m, i, k] = shared[i, k] + own[m, i, k] (Gaussian, standard deviations 2.5 and 1), so members agree
    /// in part, as trained networks do.
    /// </summary>
    public static double[,,] Logits(int members, int samples, int classes, int seed)
    {
        var random = new Random(seed);
        var shared = new Normal(0, 2.5, random);
        var own = new Normal(0, 1, random);
        var z = new double[members, samples, classes];
        for (int i = 0; i < samples; i++)
            for (int k = 0; k < classes; k++)
            {
                double s = shared.Sample();
                for (int m = 0; m < members; m++) z[m, i, k] = s + own.Sample();
            }
        return z;
    }

    /// <summary>
    /// Labels drawn from the tempered ensemble of <paramref name="logits"/> in the given setup at tau, computed from
    /// the definitions here rather than by the code under test.
    /// </summary>
    public static int[] Labels(double[,,] logits, TemperatureSetup setup, double temperature, int seed)
    {
        int members = logits.GetLength(0), samples = logits.GetLength(1), classes = logits.GetLength(2);
        var all = Enumerable.Range(0, members).ToArray();
        double[,] truth;
        if (setup == TemperatureSetup.BeforeAveraging)
        {
            var scaled = new double[members, samples, classes];
            for (int m = 0; m < members; m++) for (int i = 0; i < samples; i++) for (int k = 0; k < classes; k++) scaled[m, i, k] = logits[m, i, k] / temperature;
            truth = DirectEnsemble(scaled, all);
        }
        else
        {
            truth = DirectEnsemble(logits, all); // then p proportional to pbar^(1 / tau)
            for (int i = 0; i < samples; i++)
            {
                double sum = 0;
                for (int k = 0; k < classes; k++) sum += truth[i, k] = Math.Pow(truth[i, k], 1 / temperature);
                for (int k = 0; k < classes; k++) truth[i, k] /= sum;
            }
        }
        var random = new Random(seed);
        var labels = new int[samples];
        for (int i = 0; i < samples; i++)
        {
            double u = random.NextDouble(), cumulative = 0;
            int k = 0;
            for (; k < classes - 1; k++)
            {
                cumulative += truth[i, k];
                if (u < cumulative) break;
            }
            labels[i] = k;
        }
        return labels;
    }

    /// <summary>The ensemble probabilities computed directly from the definition (no log space): mean of member softmaxes.</summary>
    public static double[,] DirectEnsemble(double[,,] logits, IReadOnlyList<int> members)
    {
        int samples = logits.GetLength(1), classes = logits.GetLength(2);
        var p = new double[samples, classes];
        foreach (int m in members)
            for (int i = 0; i < samples; i++)
            {
                double sum = 0;
                for (int k = 0; k < classes; k++) sum += Math.Exp(logits[m, i, k]);
                for (int k = 0; k < classes; k++) p[i, k] += Math.Exp(logits[m, i, k]) / sum / members.Count;
            }
        return p;
    }
}
