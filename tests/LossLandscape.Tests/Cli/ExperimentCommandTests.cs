using System.Text.Json;

namespace LossLandscape.Tests.Cli;

public class ExperimentCommandTests
{
    [Fact]
    public void EdgeOfStabilitySmokeRunsEndToEnd()
    {
        var outFolder = CliRunner.TempFolder("eos");
        var r = CliRunner.Run("experiment", "edge-of-stability", "--preset", "smoke", "--out", outFolder, "--progress", "none", "--threads", "2");
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "edge-of-stability.json")));
        Assert.Equal(20.0, report.RootElement.GetProperty("threshold").GetDouble(), 9);
        Assert.True(report.RootElement.GetProperty("samples").GetArrayLength() >= 4);
        Assert.True(File.Exists(Path.Combine(outFolder, "sharpness.png")));
        Directory.Delete(outFolder, true);
    }
}
