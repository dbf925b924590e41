using LossLandscape.Bench;

// dotnet run -c Release --project bench/LossLandscape.Bench -- [training] [surface] [--threads N] [--repeats R]
// Prints Markdown rows for docs/BENCHMARKS.md, with machine, threads and commit.
int threads = ArgValue("--threads", 2);
int repeats = ArgValue("--repeats", 3);
var suites = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && !int.TryParse(a, out _)).ToList();
if (suites.Count == 0) suites.Add("training");
LossLandscape.TorchRuntime.Initialize(threads);
Console.WriteLine(BenchEnvironment.Describe());
foreach (var suite in suites)
{
    switch (suite)
    {
        case "training": TrainingThroughput.Run(repeats); break;
        case "surface": SurfaceBench.Run(repeats); break;
        default: Console.Error.WriteLine($"unknown suite '{suite}' (known: training, surface)"); return 2;
    }
}
return 0;

int ArgValue(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}
