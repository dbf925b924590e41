using System.Text;

namespace LossLandscape.Runs.Sweeps;

/// <summary>
/// summary.csv of a sweep: one row per task with its index, folder, state, attempt, seconds and exit code, its grid
/// values (one column per axis), then its final numbers (the last metrics.csv row and the numbers of its JSON
/// reports; columns in order of first appearance, empty where a task has none).
/// </summary>
public static class SweepSummary
{
    public const string FileName = "summary.csv";

    public static (string Path, int Rows, int Done) Write(SweepDirectory sweep)
    {
        var axes = sweep.Spec.Grid.Select(a => a.Option).ToList();
        var rows = new List<(SweepTask Task, TaskMarker? Marker, TaskState State, Dictionary<string, double> Values)>();
        var columns = new List<string>();
        var seen = new HashSet<string>();
        foreach (var task in sweep.Tasks)
        {
            var state = sweep.State(task);
            var values = new Dictionary<string, double>();
            if (state == TaskState.Done)
                foreach (var (key, value) in sweep.Results(task))
                {
                    values[key] = value;
                    if (seen.Add(key)) columns.Add(key);
                }
            rows.Add((task, sweep.ReadMarker(task), state, values));
        }

        var csv = new StringBuilder();
        csv.AppendJoin(',', new[] { "index", "folder", "state", "attempt", "seconds", "exit_code" }.Concat(axes).Concat(columns).Select(Quote)).Append('\n');
        foreach (var (task, marker, state, values) in rows)
        {
            var cells = new List<string>
            {
                task.Index.ToString(), task.Folder, state.ToString().ToLowerInvariant(),
                marker?.Attempt.ToString() ?? "", marker is null ? "" : MetricsRow.Format(marker.Seconds), marker?.ExitCode.ToString() ?? "",
            };
            cells.AddRange(task.Parameters.Select(p => p.Value));
            cells.AddRange(columns.Select(c => values.TryGetValue(c, out var v) ? MetricsRow.Format(v) : ""));
            csv.AppendJoin(',', cells.Select(Quote)).Append('\n');
        }
        var path = sweep.File(FileName);
        AtomicFile.WriteAllText(path, csv.ToString());
        return (path, rows.Count, rows.Count(r => r.State == TaskState.Done));
    }

    static string Quote(string cell) =>
        cell.IndexOfAny(new[] { ',', '"', '\n' }) >= 0 ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;
}
