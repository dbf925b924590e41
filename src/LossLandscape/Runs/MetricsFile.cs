using System.Globalization;
using System.Text;

namespace LossLandscape.Runs;

/// <summary>metrics.csv: a header and one row per epoch (columns documented on <see cref="MetricsRow"/>).</summary>
public static class MetricsFile
{
    public const string FileName = "metrics.csv";

    /// <summary>Rewrites the whole file atomically (it is small), so it always matches a consistent state.</summary>
    public static void Write(string path, IReadOnlyList<MetricsRow> rows)
    {
        var columns = MetricsRow.FixedColumns.Concat(rows.SelectMany(r => r.Extra.Keys).Distinct()).ToList();
        var text = new StringBuilder();
        text.AppendLine(string.Join(',', columns));
        foreach (var row in rows)
        {
            var values = row.Values().ToDictionary(kv => kv.Key, kv => kv.Value);
            text.AppendLine(string.Join(',', columns.Select(c => values.TryGetValue(c, out var v) ? MetricsRow.Format(v) : "")));
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Reads a metrics file back (for resume and for analyses of finished runs).</summary>
    public static List<MetricsRow> Read(string path)
    {
        if (!File.Exists(path)) return new List<MetricsRow>();
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) return new List<MetricsRow>();
        var columns = lines[0].Split(',');
        var rows = new List<MetricsRow>();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            if (cells.Length != columns.Length) throw new DataFormatException(path, $"row has {cells.Length} cells, header has {columns.Length}");
            var v = new Dictionary<string, double>();
            for (int i = 0; i < columns.Length; i++)
                if (cells[i].Length > 0) v[columns[i]] = double.Parse(cells[i], CultureInfo.InvariantCulture);
            double Get(string c) => v.TryGetValue(c, out var x) ? x : double.NaN;
            var row = new MetricsRow
            {
                Epoch = (long)Get("epoch"), Step = (long)Get("step"), LearningRate = Get("lr"),
                TrainLoss = Get("train_loss"), TrainAccuracy = Get("train_acc"), TestLoss = Get("test_loss"),
                TestAccuracy = Get("test_acc"), WeightNorm = Get("weight_norm"), GradNorm = Get("grad_norm"),
                EpochSeconds = Get("epoch_seconds"), SamplesPerSecond = Get("samples_per_second"),
            };
            foreach (var c in columns.Except(MetricsRow.FixedColumns))
                if (v.TryGetValue(c, out var x)) row.Extra[c] = x;
            rows.Add(row);
        }
        return rows;
    }
}
