using System.Text.Json;

namespace LossLandscape.Tests.Cli;

public class LangevinExperimentTests
{
    [Fact]
    public void SmokePresetRunsEndToEnd()
    {
        var outFolder = CliRunner.TempFolder("langevin");
        var r = CliRunner.RunOk("experiment", "langevin", "--preset", "smoke", "--out", outFolder);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "langevin.json")));
        var root = report.RootElement;

        var toy = root.GetProperty("toy");
        Assert.Equal(3, toy.GetArrayLength()); // SGLD and two cSGLD variants
        Assert.Equal("SGLD", toy[0].GetProperty("name").GetString());
        foreach (var sampler in toy.EnumerateArray())
        {
            Assert.Equal(2, sampler.GetProperty("grid").GetArrayLength());
            Assert.Contains(sampler.GetProperty("chosen_step").GetDouble(), new[] { 0.02, 0.08 });
            Assert.Equal(2, sampler.GetProperty("chains").GetArrayLength());
            foreach (var chain in sampler.GetProperty("chains").EnumerateArray())
                Assert.InRange(chain.GetProperty("modes_found").GetInt32(), 0, 25);
        }

        var stationarity = root.GetProperty("stationarity");
        Assert.Equal(2, stationarity.GetArrayLength());
        foreach (var seed in stationarity.EnumerateArray())
        {
            Assert.Equal(4, seed.GetProperty("points").GetArrayLength());
            Assert.InRange(seed.GetProperty("max_error_ou").GetDouble(), 0, 0.5);
            Assert.InRange(seed.GetProperty("slope").GetDouble(), 0.7, 1.3);
            var point = seed.GetProperty("points")[0];
            Assert.Equal(2, point.GetProperty("empirical").GetArrayLength());
            Assert.True(point.GetProperty("trace_empirical").GetDouble() > 0);
        }

        var gap = root.GetProperty("gap");
        Assert.Equal(2, gap.GetArrayLength());
        foreach (var seed in gap.EnumerateArray())
            foreach (var name in new[] { "sgd", "sgld_average", "sgld_last_sample" })
            {
                var m = seed.GetProperty(name);
                Assert.InRange(m.GetProperty("train_accuracy").GetDouble(), 0.3, 1.0);
                Assert.InRange(m.GetProperty("test_accuracy").GetDouble(), 0.3, 1.0);
                Assert.True(double.IsFinite(m.GetProperty("test_loss").GetDouble()));
            }
        Assert.True(gap[0].GetProperty("samples").GetInt32() > 1);

        Assert.Equal(8, root.GetProperty("verdicts").GetArrayLength());
        foreach (var figure in new[] { "toy-samples-sgld", "toy-samples-csgld", "toy-step-grid", "toy-modes", "ou-variance", "ou-covariance", "gap-accuracy" })
            Assert.True(File.Exists(Path.Combine(outFolder, "figures", figure + ".png")), figure);
        Assert.Contains("cSGLD finds more modes than SGLD", r.Stdout);
        Directory.Delete(outFolder, true);
    }
}
