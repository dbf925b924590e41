using System.Globalization;
using System.Text.Json.Nodes;
using LossLandscape.Experiments;
using LossLandscape.Experiments.Reproduction;
using LossLandscape.Experiments.Reproduction.Sections;

namespace LossLandscape.Tests.Experiments.Reproduction;

/// <summary>
/// The report's verdicts follow from the numbers in the run's files: fixtures written here are read by the sections'
/// readers, and changing the numbers that a claim rests on flips its verdict.
/// </summary>
public class VerdictFixtureTests
{
    static string Folder() => Directory.CreateTempSubdirectory("ll-verdicts-").FullName;

    static void Write(string folder, string name, JsonNode json)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), json.ToJsonString());
    }

    static VerdictKind KindOf(IEnumerable<Verdict> verdicts, string claimStart) => verdicts.Single(v => v.Claim.StartsWith(claimStart, StringComparison.Ordinal)).Kind;

    [Theory]
    [InlineData(new[] { 1.0, 1.1, 0.9 }, VerdictKind.Reproduced)]   // mean 1.0, sd 0.1
    [InlineData(new[] { 1.0, -0.5, 0.8 }, VerdictKind.Partly)]      // mean 0.43 < 2 sd
    [InlineData(new[] { 0.5 }, VerdictKind.Partly)]                 // one replicate: at best partly
    [InlineData(new[] { -0.1, -0.2, 0.05 }, VerdictKind.NotReproduced)]
    [InlineData(new[] { 0.0, 0.0 }, VerdictKind.NotReproduced)]
    public void AStoredVerdictIsRecomputedFromItsEffectsNotTakenFromItsLabel(double[] effects, VerdictKind expected)
    {
        var report = new JsonObject
        {
            ["verdicts"] = new JsonArray(new JsonObject
            {
                ["claim"] = "a claim", ["kind"] = "reproduced", ["label"] = "reproduced", ["mean"] = 99,
                ["effects"] = new JsonArray(effects.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()), ["unit"] = "", ["replicate"] = "pair",
            }),
        };
        var v = ReportFiles.Verdicts(report, "prefix: ").Single();
        Assert.Equal(expected, v.Kind);
        Assert.Equal("prefix: a claim", v.Claim);
        Assert.Equal("pair", v.Replicate);
        Assert.Equal(effects.Average(), v.Mean, 12);
    }

    [Fact]
    public void NaNWrittenAsAStringIsReadAsNaN()
    {
        Assert.True(double.IsNaN(ReportFiles.Number(JsonValue.Create("NaN"))));
        Assert.Equal(0.25, ReportFiles.Number(JsonValue.Create(0.25)));
        Assert.True(double.IsNaN(ReportFiles.Number(null)));
    }

    // Connectivity: three seeds, three pairs, each model and its permutation.
    static string ConnectivityFixture(double segmentExcess, double curveExcess, double barrierReduction, double permutedExcess)
    {
        var root = Folder();
        JsonObject Path1(double excess, double barrier) => new()
        {
            ["train_loss_barrier"] = barrier, ["worst_test_error"] = 0.11 + excess, ["endpoint_mean_test_error"] = 0.11, ["excess_test_error"] = excess,
        };
        int k = 0;
        foreach (var (a, b) in new[] { (0, 1), (0, 2), (1, 2) })
        {
            double jitter = 0.001 * k++;
            Write(Path.Combine(root, $"connect-s{a}-s{b}"), "connect.json", new JsonObject
            {
                ["distance"] = 24.7, ["base_test_errors"] = new JsonArray(0.11, 0.112),
                ["segment"] = Path1(segmentExcess + jitter, 0.77), ["curve"] = Path1(curveExcess + jitter, 0.03),
            });
            Write(Path.Combine(root, $"match-s{a}-s{b}", "aligned"), "match.json", new JsonObject
            {
                ["barrier_reduction"] = barrierReduction + jitter, ["distance_before"] = 24.7, ["distance_after"] = 20.9,
                ["segment_after"] = Path1(0.01, 0.05),
            });
        }
        foreach (var seed in new[] { 0, 1, 2 })
            Write(Path.Combine(root, $"connect-s{seed}-permuted"), "connect.json", new JsonObject
            {
                ["distance"] = 30.0, ["base_test_errors"] = new JsonArray(0.11, 0.11), ["segment"] = Path1(permutedExcess + 0.001 * seed, 0.9),
            });
        return root;
    }

    [Fact]
    public void ConnectivityVerdictsFollowTheBarriersAndFlipWithThem()
    {
        var section = new ConnectivitySection();
        var good = section.Read(ConnectivityFixture(segmentExcess: 0.09, curveExcess: 0.004, barrierReduction: 0.94, permutedExcess: 0.11), Preset.Quick);
        Assert.Equal(4, good.Claims.Count);
        Assert.All(good.Claims, c => Assert.Equal(VerdictKind.Reproduced, c.Kind));
        Assert.Equal(3, good.Claims[0].Effects.Count);
        Assert.Equal(0.09 + 0.001 - 0.01, good.Claims[0].Mean, 12);

        var bad = section.Read(ConnectivityFixture(segmentExcess: 0.005, curveExcess: 0.03, barrierReduction: 0.2, permutedExcess: 0.0), Preset.Quick);
        Assert.All(bad.Claims, c => Assert.Equal(VerdictKind.NotReproduced, c.Kind));
        Assert.Contains(good.Tables[0].Rows, r => r[0] == "seeds 0 and 1");
        Assert.Equal(3 + 3, good.Tables[0].Rows.Count);
    }

    // Surfaces: per seed a slice, a Hessian and an edge-of-stability report.
    static string SurfaceFixture(bool bowl, double tenthEigenvalue, double? hoverMedian)
    {
        var root = Folder();
        foreach (var seed in new[] { 0, 1, 2 })
        {
            var slice = Path.Combine(root, $"slice-s{seed}");
            Directory.CreateDirectory(slice);
            var lines = new List<string> { "alpha,beta,loss,accuracy" };
            foreach (var a in new[] { -1.0, 0.0, 1.0 })
                foreach (var b in new[] { -1.0, 0.0, 1.0 })
                {
                    double r2 = a * a + b * b;
                    double loss = bowl ? 0.2 + (1 + 0.1 * seed) * r2 : 2.0 - 0.5 * r2;
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"{a},{b},{loss},0.5"));
                }
            File.WriteAllLines(Path.Combine(slice, "surface.csv"), lines);
            var eigen = Enumerable.Range(0, 12).Select(i => i < 9 ? 20.0 - i : tenthEigenvalue * (1 - 0.01 * (i - 9)) + 0.01 * seed).ToArray();
            Write(Path.Combine(root, $"hessian-s{seed}"), "hessian.json", new JsonObject
            {
                ["parameters"] = 100000, ["trace"] = 50.0,   // mean eigenvalue 5e-4
                ["lanczos"] = new JsonObject { ["eigenvalues"] = new JsonArray(eigen.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()) },
            });
            Write(Path.Combine(root, $"edge-of-stability-s{seed}"), "edge-of-stability.json", new JsonObject
            {
                ["threshold"] = 40.0, ["first_reach"] = hoverMedian is null ? null : 75, ["last_reach"] = hoverMedian is null ? null : 1000,
                ["hover_median"] = hoverMedian is { } h ? h + 0.01 * seed : null, ["max_relative"] = 1.5,
            });
        }
        return root;
    }

    [Fact]
    public void SurfaceVerdictsFollowTheSliceTheSpectrumAndTheEdgeOfStability()
    {
        var section = new SurfaceSection();
        var good = section.Read(SurfaceFixture(bowl: true, tenthEigenvalue: 5, hoverMedian: 1.08), Preset.Quick);
        Assert.All(good.Claims, c => Assert.Equal(VerdictKind.Reproduced, c.Kind));
        // bowl: border median is a corner-or-edge value; 8 border points: 4 edges at r2 = 1 and 4 corners at r2 = 2 -> median 1.5 (seed 0)
        Assert.Equal(Math.Log10((0.2 + 1.5) / 0.2), good.Claims[0].Effects[0], 12);
        Assert.Equal(Math.Log10(5 / 5e-4) - 2, good.Claims[1].Effects[0], 12);
        Assert.Equal(0.2 - 0.08, good.Claims[2].Effects[0], 12);

        var bad = section.Read(SurfaceFixture(bowl: false, tenthEigenvalue: 0.02, hoverMedian: null), Preset.Quick);
        Assert.All(bad.Claims, c => Assert.Equal(VerdictKind.NotReproduced, c.Kind));
        Assert.All(bad.Claims[2].Effects, e => Assert.Equal(-1, e));
        // hovering far above the threshold is no edge of stability either
        var above = section.Read(SurfaceFixture(bowl: true, tenthEigenvalue: 5, hoverMedian: 1.5), Preset.Quick);
        Assert.Equal(VerdictKind.NotReproduced, above.Claims[2].Kind);
    }

    [Fact]
    public void AMissingReportIsOneClearError()
    {
        var e = Assert.Throws<LandscapeException>(() => new LangevinSection().Read(Folder(), Preset.Quick));
        Assert.Contains("langevin.json: missing", e.Message);
    }

    /// <summary>
    /// The double-descent reader on reports serialised from the real records (as the experiment writes them), so a renamed
    /// field breaks this test rather than leaving a "-" in the report.
    /// </summary>
    [Fact]
    public void DoubleDescentReaderReadsTheRecordsTheExperimentWrites()
    {
        var root = Folder();
        void Report(string axis, DescentAxis kind, double peakExcess)
        {
            var points = new[] { 1.0, 2.0, 4.0 }.SelectMany(x => new[] { 0, 1, 2 }.Select(seed =>
                new DescentPoint(x, seed, 0.1, x == 2 ? 0.40 + peakExcess + 0.001 * seed : 0.40, 1.2, 1.1, 1.3, kind == DescentAxis.Features ? 0.5 : null))).ToList();
            var summary = new[] { 1.0, 2.0, 4.0 }.Select(x => new DescentSummary(x, 3, 0.1, 0, x == 2 ? 0.40 + peakExcess + 0.001 : 0.40, 0.001, 1.2, 0, 1.1, 0,
                kind == DescentAxis.Features ? 0.5 : null)).ToList();
            var peak = DoubleDescent.Peak("test error", points, p => p.TestError) ?? DoubleDescent.HighestInterior("test error", points, p => p.TestError)!;
            var report = new DoubleDescentReport(DoubleDescentSettings.For(Preset.Smoke, kind), points, summary, 2, new[] { peak },
                new[] { Verdict.Of("test error has a peak", peak.Effects) }, new[] { "a finding" }, 1.5);
            var folder = Path.Combine(root, axis);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "double-descent.json"), System.Text.Json.JsonSerializer.Serialize(report, LossLandscape.Runs.RunManifest.Json));
        }
        Report("width", DescentAxis.Width, 0.05);
        Report("features", DescentAxis.Features, -0.05);
        var f = new DoubleDescentSection().Read(root, Preset.Smoke);
        Assert.Equal(VerdictKind.Reproduced, f.Claims[0].Kind);
        Assert.StartsWith("model-wise (CNN-k width): ", f.Claims[0].Claim);
        Assert.Equal(VerdictKind.NotReproduced, f.Claims[1].Kind);
        Assert.Equal(new[] { "2", "3", "10.00 %", "45.10 % +- 0.10 %", "1.2 +- 0", "1.1 +- 0" }, f.Tables[0].Rows[1]);
        Assert.Equal(new[] { "2", "3", "10.00 %", "35.10 % +- 0.10 %", "0.5" }, f.Tables[1].Rows[1]);
        Assert.Contains("width: a finding", f.Notes);
    }

    /// <summary>The scale-invariance reader on the three reports serialised from the real records, and the phases' command from run.json.</summary>
    [Fact]
    public void ScaleInvarianceReaderReadsTheRecordsTheExperimentsWrite()
    {
        var root = Folder();
        void Save(string sub, string name, object report)
        {
            Directory.CreateDirectory(Path.Combine(root, sub));
            File.WriteAllText(Path.Combine(root, sub, name), System.Text.Json.JsonSerializer.Serialize(report, LossLandscape.Runs.RunManifest.Json));
        }
        var period = new RhoPeriod(1, 91, 94, 28.0, 13.5, 0.516, 0.005, 2.25);
        Save("periodic", "scale-invariance.json", new ScaleInvarianceReport(ScaleInvarianceSettings.For(Preset.Smoke),
            new[] { new PeriodicRun(1.0, 0, "completed", 13.07, 14.04, new[] { period }, Array.Empty<int>(), 0.0216, 0.803, "p") },
            new[] { Verdict.Of("rho is periodic", new[] { 0.0 }) }, 1));
        Save("sphere", "sphere.json", new SphereRegimesReport(SphereRegimesSettings.For(Preset.Smoke),
            new[] { new SphereRun(1e-3, 1, 0.17, 13.0, new RegimeCall(SphereRegime.ChaoticEquilibrium, 0.032, 0.03, 0.01, 1.52, 20), 0.99, 0.827, "completed", "p") },
            new[] { Verdict.Of("three regimes", new[] { 1.0, -1.0 }) }, 1));
        var phase = new MemorisationPhases(0, 5, 36, 60, true, 18.71, 19.17, 19.02, 5380, 2889, 2101, 0.917, 1.314, 1.393);
        var settings = MemorisationPhases.Settings(Preset.Quick);
        Save("phases", "double-descent.json", new DoubleDescentReport(settings, Array.Empty<DescentPoint>(), Array.Empty<DescentSummary>(), 36,
            Array.Empty<DescentPeak>(), MemorisationPhases.Judge(new[] { phase }), new[] { phase.Describe() }, 1, new[] { phase }));
        var run = LossLandscape.Runs.RunDirectory.Create(Path.Combine(root, "phases"));
        run.WriteManifest(new LossLandscape.Runs.RunManifest { Command = "experiment double-descent --axis epochs", Settings = LossLandscape.Runs.RunManifest.ToSettings(new { preset = Preset.Quick, settings }) });

        var f = new ScaleInvarianceSection().Read(root, Preset.Quick);
        Assert.Equal(2 + 6, f.Claims.Count);
        Assert.Equal(new[] { "1", "0", "1", "1", "51.60 %", "13.07 -> 14.04", "0.0216", "80.30 %" }, f.Tables[0].Rows[0]);
        Assert.Equal(new[] { "0.001", "1", "chaotic equilibrium", "0.032", "1.52", "82.70 %" }, f.Tables[1].Rows[0]);
        Assert.Equal(new[] { "0", "5 / 36 / 60", "18.71 -> 19.17 -> 19.02", "5380 -> 2889 -> 2101", "0.917 -> 1.314 -> 1.393" }, f.Tables[2].Rows[0]);
        Assert.Contains("landscape experiment double-descent --axis epochs --preset quick --model mlp-si --width 256 --si-sharpness 2 --anneal-epoch 40 " +
                        "--optimizer sgd --lr 0.5 --weight-decay 0.001", f.Commands);
    }
}
