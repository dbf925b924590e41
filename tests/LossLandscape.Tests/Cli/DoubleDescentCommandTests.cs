using System.Text.Json;

namespace LossLandscape.Tests.Cli;

public class DoubleDescentCommandTests
{
    [Theory]
    [InlineData("width", "nll.png", 3)]
    [InlineData("epochs", "nll.png", 3)]
    [InlineData("samples", "nll.png", 2)]
    [InlineData("features", "mse.png", 3)]
    public void SmokePresetRunsEndToEnd(string axis, string figure, int axisValues)
    {
        var outFolder = CliRunner.TempFolder("dd-" + axis);
        CliRunner.RunOk("experiment", "double-descent", "--axis", axis, "--preset", "smoke", "--out", outFolder, "--jobs", "2");
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "double-descent.json")));
        var summary = report.RootElement.GetProperty("summary");
        Assert.Equal(axisValues, summary.GetArrayLength());
        foreach (var row in summary.EnumerateArray())
        {
            Assert.InRange(row.GetProperty("test_error").GetDouble(), 0.0, 1.0);
            Assert.InRange(row.GetProperty("train_error").GetDouble(), 0.0, 1.0);
        }
        if (axis != "features")
            foreach (var row in summary.EnumerateArray())
                Assert.True(row.GetProperty("test_cnll").GetDouble() <= row.GetProperty("test_nll").GetDouble() + 0.05, "calibration should not hurt much");
        Assert.True(File.Exists(Path.Combine(outFolder, figure)));
        Assert.True(File.Exists(Path.Combine(outFolder, "points.csv")));
        Directory.Delete(outFolder, true);
    }
}
