using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Data;

/// <summary>
/// A whole labelled dataset held in memory as two tensors: inputs (float32, shape [N, ...sample shape])
/// and labels (int64, shape [N]). Batches are slices of these tensors, never per-sample collations.
/// The dataset owns its tensors.
/// </summary>
public sealed class Dataset : IDisposable
{
    public Dataset(string name, Tensor inputs, Tensor labels, int classes)
    {
        if (inputs.shape[0] != labels.shape[0])
            throw new ArgumentException($"inputs have {inputs.shape[0]} samples but labels {labels.shape[0]}");
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException("labels must be int64");
        Name = name;
        Inputs = inputs;
        Labels = labels;
        Classes = classes;
    }

    public string Name { get; }
    public Tensor Inputs { get; }
    public Tensor Labels { get; }
    public int Classes { get; }
    public long Count => Labels.shape[0];
    public long[] SampleShape => Inputs.shape[1..];

    /// <summary>A contiguous slice [start, start+length) sharing memory with this dataset.</summary>
    public (Tensor Inputs, Tensor Labels) Slice(long start, long length) =>
        (Inputs.narrow(0, start, length), Labels.narrow(0, start, length));

    /// <summary>A new dataset holding the given rows (copied). The indices may live on any device (seeded index draws are made on the CPU).</summary>
    public Dataset Select(Tensor indices, string? name = null)
    {
        var onDevice = indices.to(Inputs.device);
        try
        {
            return new(name ?? Name, Inputs.index_select(0, onDevice), Labels.index_select(0, onDevice), Classes);
        }
        finally
        {
            if (!ReferenceEquals(onDevice, indices)) onDevice.Dispose();
        }
    }

    /// <summary>Moves (copies) the tensors to a device; returns this dataset when already there.</summary>
    public Dataset To(Device device) =>
        Inputs.device == device ? this : new Dataset(Name, Inputs.to(device), Labels.to(device), Classes);

    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}

/// <summary>A training set and a test set of the same task.</summary>
public sealed record DataSplit(Dataset Train, Dataset Test) : IDisposable
{
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
