using static TorchSharp.torch;

namespace LossLandscape.Ensembles;

/// <summary>
/// The logits of the members of a pool on one labelled test set: z[m, i, k] for member m, sample i and class k,
/// in double precision, with the label of every sample. This is what all of the ensemble numerics consume.
/// <see cref="Select"/> gives a view of some of the members without copying the logits, so ensembles of any
/// subset of a pool are cheap to form.
/// </summary>
public sealed class MemberLogits
{
    readonly double[] logits;   // [poolMembers, Samples, Classes], row-major
    readonly int[] members;     // which pool members this view holds
    readonly int[] labels;

    /// <summary>Copies logits[members, samples, classes]; every label must lie in [0, classes).</summary>
    public MemberLogits(double[,,] logits, IReadOnlyList<int> labels)
        : this(Flatten(logits), logits.GetLength(0), logits.GetLength(1), logits.GetLength(2), labels.ToArray()) { }

    /// <summary>Logits [members, samples, classes] of any floating dtype and device, and labels [samples] of any integer dtype.</summary>
    public static MemberLogits FromTensor(Tensor logits, Tensor labels)
    {
        if (logits.dim() != 3) throw new LandscapeException($"member logits must be [members, samples, classes], got shape [{string.Join(", ", logits.shape)}]");
        if (labels.dim() != 1) throw new LandscapeException($"labels must be one-dimensional, got shape [{string.Join(", ", labels.shape)}]");
        using var scope = NewDisposeScope();
        var values = logits.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var classes = labels.to(ScalarType.Int64).cpu().contiguous().data<long>().ToArray();
        return new MemberLogits(values, (int)logits.shape[0], (int)logits.shape[1], (int)logits.shape[2],
            classes.Select(c => (int)Math.Clamp(c, -1, int.MaxValue)).ToArray());
    }

    MemberLogits(double[] logits, int poolMembers, int samples, int classes, int[] labels)
    {
        if (poolMembers < 1 || samples < 1 || classes < 2)
            throw new LandscapeException($"need at least one member, one sample and two classes, got [{poolMembers}, {samples}, {classes}]");
        if (labels.Length != samples) throw new LandscapeException($"{labels.Length} labels for {samples} samples");
        int bad = Array.FindIndex(labels, y => y < 0 || y >= classes);
        if (bad >= 0) throw new LandscapeException($"label {labels[bad]} of sample {bad} is outside [0, {classes})");
        int nonFinite = Array.FindIndex(logits, v => !double.IsFinite(v));
        if (nonFinite >= 0) throw new LandscapeException($"logit {nonFinite} (flat index) is not finite");
        this.logits = logits;
        this.labels = labels;
        members = Enumerable.Range(0, poolMembers).ToArray();
        Samples = samples;
        Classes = classes;
    }

    MemberLogits(MemberLogits source, int[] members)
    {
        logits = source.logits;
        labels = source.labels;
        this.members = members;
        Samples = source.Samples;
        Classes = source.Classes;
    }

    public int Members => members.Length;
    public int Samples { get; }
    public int Classes { get; }
    public IReadOnlyList<int> Labels => labels;

    /// <summary>The members at these positions of this view (a view: no logits are copied).</summary>
    public MemberLogits Select(IReadOnlyList<int> memberIndices)
    {
        if (memberIndices.Count == 0) throw new LandscapeException("an ensemble needs at least one member");
        var chosen = new int[memberIndices.Count];
        for (int j = 0; j < chosen.Length; j++)
        {
            int m = memberIndices[j];
            if (m < 0 || m >= Members) throw new LandscapeException($"member {m} is outside [0, {Members})");
            chosen[j] = members[m];
        }
        return new MemberLogits(this, chosen);
    }

    /// <summary>The ensemble of all members of this view: p(k | x_i) = (1/M) sum_m softmax(z[m, i, :])_k.</summary>
    public EnsemblePrediction Ensemble() => Ensemble(1.0);

    /// <summary>
    /// The ensemble of the members with every member's logits multiplied by <paramref name="inverseTemperature"/>
    /// before the softmax. Computed in log space (log-sum-exp over members of the log-softmaxes), so classes whose
    /// probability underflows a double still get a finite log-probability.
    /// </summary>
    internal EnsemblePrediction Ensemble(double inverseTemperature)
    {
        int m = Members, k = Classes;
        var result = new double[Samples * k];
        var logSoftmax = new double[m * k];
        double logMembers = Math.Log(m);
        for (int i = 0; i < Samples; i++)
        {
            for (int j = 0; j < m; j++)
            {
                var z = Row(j, i);
                double max = Max(z);
                double sum = 0;
                foreach (double v in z) sum += Math.Exp(inverseTemperature * (v - max));
                double logNormaliser = Math.Log(sum);
                for (int c = 0; c < k; c++) logSoftmax[j * k + c] = inverseTemperature * (z[c] - max) - logNormaliser;
            }
            for (int c = 0; c < k; c++)
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < m; j++) max = Math.Max(max, logSoftmax[j * k + c]);
                double sum = 0;
                for (int j = 0; j < m; j++) sum += Math.Exp(logSoftmax[j * k + c] - max);
                result[i * k + c] = max + Math.Log(sum) - logMembers;
            }
        }
        return new EnsemblePrediction(result, Samples, k, labels);
    }

    /// <summary>
    /// The ensemble's log mean probabilities as the logits of a single member. softmax(log p) = p, so temperature
    /// scaling "after averaging" is temperature scaling of this one member.
    /// </summary>
    internal MemberLogits EnsembleAsSingleMember() =>
        new(Ensemble().LogProbabilitiesFlat, 1, Samples, Classes, labels);

    /// <summary>The logits of member <paramref name="member"/> (a position in this view) on sample <paramref name="sample"/>.</summary>
    internal ReadOnlySpan<double> Row(int member, int sample) =>
        new(logits, (members[member] * Samples + sample) * Classes, Classes);

    internal static double Max(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values) max = Math.Max(max, v);
        return max;
    }

    static double[] Flatten(double[,,] logits)
    {
        var flat = new double[logits.Length];
        Buffer.BlockCopy(logits, 0, flat, 0, logits.Length * sizeof(double)); // row-major: [m, i, k] -> (m * N + i) * K + k
        return flat;
    }
}
