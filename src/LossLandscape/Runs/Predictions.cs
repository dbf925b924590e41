using static TorchSharp.torch;

namespace LossLandscape.Runs;

/// <summary>
/// A trained model's predictions on a data split, kept in its run folder for analyses that need no model
/// (ensembles, calibration): predictions/&lt;split&gt;_logits.npy (float32 [samples, classes]) and
/// predictions/&lt;split&gt;_labels.npy (int64 [samples]).
/// </summary>
public sealed record Predictions(float[,] Logits, long[] Labels)
{
    public const string Folder = "predictions";

    public int Samples => Logits.GetLength(0);
    public int Classes => Logits.GetLength(1);

    public static string LogitsPath(string runFolder, string split) => Path.Combine(runFolder, Folder, $"{split}_logits.npy");
    public static string LabelsPath(string runFolder, string split) => Path.Combine(runFolder, Folder, $"{split}_labels.npy");

    public static bool Exist(string runFolder, string split) => File.Exists(LogitsPath(runFolder, split)) && File.Exists(LabelsPath(runFolder, split));

    /// <summary>Writes logits [samples, classes] and labels [samples] of one split.</summary>
    public static void Write(string runFolder, string split, Tensor logits, Tensor labels)
    {
        if (logits.dim() != 2 || labels.dim() != 1 || logits.shape[0] != labels.shape[0])
            throw new ArgumentException($"logits [samples, classes] and labels [samples] expected, got [{string.Join(", ", logits.shape)}] and [{string.Join(", ", labels.shape)}]");
        Directory.CreateDirectory(Path.Combine(runFolder, Folder));
        using var l = logits.to(ScalarType.Float32).cpu().contiguous();
        using var y = labels.to(ScalarType.Int64).cpu().contiguous();
        NpyFile.Write(LogitsPath(runFolder, split), l.data<float>().ToArray(), l.shape);
        NpyFile.Write(LabelsPath(runFolder, split), y.data<long>().ToArray(), y.shape);
    }

    public static Predictions Read(string runFolder, string split)
    {
        if (!Exist(runFolder, split))
            throw new LandscapeException($"{runFolder}: no {split} predictions (train with --save-logits)");
        var logits = NpyFile.Read(LogitsPath(runFolder, split));
        var labels = NpyFile.Read(LabelsPath(runFolder, split));
        if (logits.Shape.Count != 2 || labels.Shape.Count != 1 || logits.Shape[0] != labels.Shape[0])
            throw new LandscapeException($"{runFolder}: {split} predictions have shapes [{string.Join(", ", logits.Shape)}] and [{string.Join(", ", labels.Shape)}]");
        var flat = logits.ToDoubles();
        int n = (int)logits.Shape[0], c = (int)logits.Shape[1];
        var matrix = new float[n, c];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
                matrix[i, j] = (float)flat[i * c + j];
        var y = labels.Data is long[] longs ? longs : labels.ToDoubles().Select(v => (long)v).ToArray();
        return new Predictions(matrix, y);
    }
}
