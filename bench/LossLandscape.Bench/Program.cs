using LossLandscape.Bench;

// dotnet run -c Release --project bench/LossLandscape.Bench -- [training] [surface] [hvp] [--threads N] [--repeats R] [--device cpu|cuda] [--synthetic] ...
// Prints Markdown rows for docs/BENCHMARKS.md, with machine, threads and commit, and one tab-separated
// "result" line per workload that bench/compare-pytorch.sh reads beside PyTorch's (bench/python/).
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"bench: {e.Message}\n{BenchOptions.Usage}");
    return 2;
}
try
{
    BenchEnvironment.Initialize(options);
}
catch (LossLandscape.LandscapeException e)
{
    Console.Error.WriteLine($"bench: {e.Message}");
    return 2;
}
Console.WriteLine(BenchEnvironment.Describe());
foreach (var suite in options.Suites)
{
    switch (suite)
    {
        case "training": TrainingThroughput.Run(options); break;
        case "surface": SurfaceBench.Run(options); break;
        case "hvp": HessianVectorBench.Run(options); break;
    }
}
return 0;
