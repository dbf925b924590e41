using TorchSharp;

namespace LossLandscape.Data;

/// <summary>
/// A global affine normalisation x -> (x - Mean) / Std with scalar statistics over every input element.
/// Fitted on the training set only and then applied unchanged to test or validation data, so nothing about
/// held-out data leaks into the inputs.
/// </summary>
public sealed record Standardization(double Mean, double Std)
{
    /// <summary>Mean and population standard deviation of all input elements of <paramref name="train"/>.</summary>
    public static Standardization Fit(Dataset train)
    {
        using var scope = torch.NewDisposeScope();
        // libtorch's CPU reductions sum float32 in cascaded blocks, accurate enough for tens of millions of
        // pixels without a float64 copy of the whole set.
        double mean = train.Inputs.mean().item<float>();
        double std = train.Inputs.std(unbiased: false).item<float>();
        if (!(std > 0) || double.IsNaN(mean))
            throw new LandscapeException($"cannot standardize {train.Name}: its inputs are constant or not finite (std {std})");
        return new Standardization(mean, std);
    }

    /// <summary>A new dataset with standardized inputs; labels are copied, the original is untouched.</summary>
    public Dataset Apply(Dataset dataset)
    {
        using var scope = torch.NewDisposeScope();
        var inputs = ((dataset.Inputs - Mean) / Std).to(dataset.Inputs.dtype);
        return new Dataset(dataset.Name, inputs.MoveToOuterDisposeScope(), dataset.Labels.clone().MoveToOuterDisposeScope(), dataset.Classes);
    }

    /// <summary>Applies to both halves of a split (fit this on the split's train set).</summary>
    public DataSplit Apply(DataSplit split)
    {
        var train = Apply(split.Train);
        try
        {
            return new DataSplit(train, Apply(split.Test));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }
}
