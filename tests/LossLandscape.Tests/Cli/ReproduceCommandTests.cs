using System.Diagnostics;
using System.Text.Json;
using LossLandscape.Experiments.Reproduction;
using LossLandscape.Runs;

namespace LossLandscape.Tests.Cli;

/// <summary>
/// `landscape reproduce` end to end: the whole talk at the smoke preset on real Fashion-MNIST, the report checked in
/// headless Chromium (every figure loaded, no console messages, a screenshot), a rerun that skips everything, bad input.
/// </summary>
public class ReproduceCommandTests
{
    [Fact]
    [Trait("Category", "Browser")]
    public void TheSmokePresetOfTheWholeTalkWritesAReportThatABrowserLoadsAndARerunSkipsEverything()
    {
        var root = Path.Combine(CliRunner.TempFolder("reproduce"), "smoke");
        var first = CliRunner.Run(TimeSpan.FromMinutes(12), "reproduce", "--preset", "smoke", "--out", root, "--check", "--jobs", "2", "--progress", "none");
        Assert.True(first.ExitCode == 0, first.Stderr + first.Stdout);
        Assert.Contains("8 of 8 sections done", first.Stdout);
        Assert.Matches(@"browser check: (\d+) of \1 figures loaded, 0 console messages", first.Stdout);
        foreach (var section in Talk.Sections)
        {
            var state = JsonSerializer.Deserialize<SectionState>(File.ReadAllText(SectionState.PathOf(root, section.Id)), RunManifest.Json)!;
            Assert.Equal(SectionProgress.Completed, state.Progress);
            Assert.True(state.Seconds > 0);
        }
        var html = File.ReadAllText(Path.Combine(root, "report.html"));
        foreach (var section in Talk.Sections) Assert.Contains(System.Net.WebUtility.HtmlEncode(section.Title), html);
        Assert.DoesNotContain("figure missing", html);
        Assert.Contains("data:image/png;base64,", html);
        var png = File.ReadAllBytes(Path.Combine(root, "report.png"));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
        var markdown = File.ReadAllText(Path.Combine(root, "report.md"));
        Assert.Contains("sections/double-descent/width/errors.png", markdown);
        Assert.Contains("| N / n (features per training sample) |", markdown);
        Assert.Matches(@"\| SGLD \| [0-9.]+ \| 2 \|", markdown);        // the smoke toy's 2 evaluation chains, counted from langevin.json
        Assert.Matches(@"\| seeds 0 and 1 \| [0-9.]+ % \|", markdown);   // connectivity's pair row, numbers from connect.json

        var again = CliRunner.Run(TimeSpan.FromMinutes(3), "reproduce", "--preset", "smoke", "--out", root, "--progress", "none");
        Assert.True(again.ExitCode == 0, again.Stderr + again.Stdout);
        Assert.Equal(8, again.Stdout.Split('\n').Count(l => l.Contains("done earlier") && l.EndsWith("skipped", StringComparison.Ordinal)));
        Assert.Contains("Loss landscape in deep neural networks", File.ReadAllText(Path.Combine(root, "report.html")));

        // Rebuilding the report needs no preset: the folder's own is used.
        File.Delete(Path.Combine(root, "report.md"));
        var rebuilt = CliRunner.Run("reproduce", "--out", root, "--report-only", "--progress", "none");
        Assert.True(rebuilt.ExitCode == 0, rebuilt.Stderr + rebuilt.Stdout);
        Assert.Contains("reproduce --preset smoke:", File.ReadAllText(Path.Combine(root, "report.md")));
    }

    [Fact]
    public void AKilledReproductionKeepsWhatItFinishedAndResumes()
    {
        var root = Path.Combine(CliRunner.TempFolder("reproduce-kill"), "smoke");
        string[] args = { "reproduce", "--preset", "smoke", "--only", "lr-regimes,double-descent,power-laws", "--out", root, "--progress", "none" };
        static bool Completed(string root, string id) =>
            File.Exists(SectionState.PathOf(root, id)) && File.ReadAllText(SectionState.PathOf(root, id)).Contains("\"completed\"");
        using (var runner = Process.Start(CliRunner.StartInfo(args))!)
        {
            runner.StandardOutput.ReadToEndAsync();
            runner.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!Completed(root, "double-descent") && clock.Elapsed < TimeSpan.FromMinutes(5) && !runner.HasExited) Thread.Sleep(50);
            // into the power-laws pool: wait for its first finished member
            while (!PoolMemberDone(root) && clock.Elapsed < TimeSpan.FromMinutes(5) && !runner.HasExited) Thread.Sleep(50);
            Assert.False(runner.HasExited, "the reproduction finished before it could be killed");
            runner.Kill(entireProcessTree: true);
            runner.WaitForExit();
        }
        Assert.True(Completed(root, "lr-regimes") && Completed(root, "double-descent"));
        Assert.False(Completed(root, "power-laws"));
        var kept = File.ReadAllText(SectionState.PathOf(root, "lr-regimes"));

        var rerun = CliRunner.Run(TimeSpan.FromMinutes(5), args);
        Assert.True(rerun.ExitCode == 0, rerun.Stderr + rerun.Stdout);
        Assert.Contains("[1/3 lr-regimes] done earlier", rerun.Stdout);
        Assert.Contains("[2/3 double-descent] done earlier", rerun.Stdout);
        Assert.Matches(@"pool-width-\d+: \d+ tasks, [1-9]\d* already done", rerun.Stdout);   // the pool's finished members are kept
        Assert.Equal(kept, File.ReadAllText(SectionState.PathOf(root, "lr-regimes")));
        Assert.True(Completed(root, "power-laws"));
    }

    static bool PoolMemberDone(string root)
    {
        var folder = Path.Combine(root, "sections", "power-laws");
        return Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)
            .Any(f => Path.GetFileName(Path.GetDirectoryName(f)) == "state" && File.ReadAllText(f).Contains("\"done\""));
    }

    [Theory]
    [InlineData("--only", "surfaces,mystery", "unknown section 'mystery'")]
    [InlineData("--preset", "huge", "huge")]
    public void BadInputIsOneLineAndExitCodeTwo(string option, string value, string expected)
    {
        var root = Path.Combine(CliRunner.TempFolder("reproduce-bad"), "out");
        var r = CliRunner.Run("reproduce", option, value, "--out", root, "--progress", "none");
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}{r.Stdout}");
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.Stderr);
        Assert.Contains(expected, lines[0]);
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public void ReportOnlyNeedsAReproductionFolder()
    {
        var r = CliRunner.Run("reproduce", "--report-only", "--out", CliRunner.TempFolder("reproduce-empty"), "--progress", "none");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a reproduction folder", r.Stderr);
    }
}
