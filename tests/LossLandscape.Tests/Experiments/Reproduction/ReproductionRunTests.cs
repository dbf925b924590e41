using System.Text.Json.Nodes;
using LossLandscape.Experiments;
using LossLandscape.Experiments.Reproduction;
using LossLandscape.Reporting.Documents;
using LossLandscape.Runs;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Experiments.Reproduction;

/// <summary>The runner around the sections: order, markers, skipping finished sections, isolating failures, the report.</summary>
public class ReproductionRunTests
{
    /// <summary>A section that writes a report with one verdict, or fails while it is told to.</summary>
    sealed class FakeSection(string id, double[] effects) : TalkSection
    {
        public int Runs;
        public string? FailWith;
        public override string Id => id;
        public override string Title => $"Section {id}";
        public override string Talk => "what the talk says <b>here</b>";
        public override string PaperScale => "a GPU-hour";

        public override void Run(SectionContext context)
        {
            Runs++;
            context.Log("working");
            if (FailWith is { } message) throw new LandscapeException(message);
            File.WriteAllText(context.Folder.File("fake.json"), new JsonObject
            {
                ["verdicts"] = new JsonArray(new JsonObject { ["claim"] = $"{id} holds", ["effects"] = new JsonArray(effects.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()) }),
            }.ToJsonString());
        }

        public override SectionFindings Read(string folder, Preset preset) => new(
            ReportFiles.Verdicts(ReportFiles.Json(Path.Combine(folder, "fake.json"))), Array.Empty<ReportFigure>(),
            new[] { new ReportTable("numbers", new[] { "a" }, new[] { new[] { "1" } }) }, Array.Empty<ReportFact>(), new[] { $"landscape {id}" }, Array.Empty<string>());
    }

    static ReproductionOutcome Run(string root, IReadOnlyList<TalkSection> sections, List<string>? log = null, Preset preset = Preset.Smoke) =>
        LossLandscape.Experiments.Reproduction.Reproduction.Run(new ReproduceSettings(preset, root), sections, CPU, _ => true, line => log?.Add(line));

    [Fact]
    public void AFailingSectionIsRecordedTheOthersRunAndARerunRedoesOnlyIt()
    {
        var root = Directory.CreateTempSubdirectory("ll-reproduce-").FullName;
        var a = new FakeSection("a", new[] { 1.0, 1.1, 0.9 });
        var b = new FakeSection("b", new[] { 0.5 }) { FailWith = "b broke" };
        var c = new FakeSection("c", new[] { -1.0, -2.0 });
        var log = new List<string>();
        var first = Run(root, new TalkSection[] { a, b, c }, log);
        Assert.False(first.Success);
        Assert.Equal(new[] { SectionProgress.Completed, SectionProgress.Failed, SectionProgress.Completed }, first.Sections.Select(s => s.Progress));
        Assert.Equal("b broke", first.Sections[1].Failure);
        Assert.Contains(log, l => l.StartsWith("[2/3 b] FAILED", StringComparison.Ordinal));
        Assert.Contains(log, l => l == "[1/3 a] working");

        var doc = TalkReport.Build(root, Preset.Smoke, new TalkSection[] { a, b, c });
        Assert.Equal(new[] { SectionStatus.Completed, SectionStatus.Failed, SectionStatus.Completed }, doc.Sections.Select(s => s.Status));
        Assert.Equal("reproduced", doc.Sections[0].Claims.Single().Verdict);
        Assert.Equal("not reproduced", doc.Sections[2].Claims.Single().Verdict);
        Assert.Equal("b broke", doc.Sections[1].Failure);
        Assert.Contains("1 reproduced, 0 partly, 1 not reproduced", doc.Summary);
        Assert.Equal(SectionState.ThisMachine(), doc.About.Single(f => f.Name == "machine").Value);
        Assert.Equal("smoke", doc.About.Single(f => f.Name == "preset").Value);
        Assert.True(File.Exists(Path.Combine(root, "report.html")));
        Assert.Contains("b broke", File.ReadAllText(Path.Combine(root, "report.md")));

        b.FailWith = null;
        var second = Run(root, new TalkSection[] { a, b, c });
        Assert.True(second.Success);
        Assert.Equal((1, 2, 1), (a.Runs, b.Runs, c.Runs));
        Assert.Equal("partly", TalkReport.Build(root, Preset.Smoke, new TalkSection[] { a, b, c }).Sections[1].Claims.Single().Verdict);
    }

    [Fact]
    public void AnInterruptedSectionShowsAsSuchAndAnotherPresetIsRefused()
    {
        var root = Directory.CreateTempSubdirectory("ll-reproduce-").FullName;
        var a = new FakeSection("a", new[] { 1.0 });
        Run(root, new TalkSection[] { a });
        new SectionState("z", SectionProgress.Running, DateTimeOffset.UtcNow, null, 3, null, "abc", 2, "cpu", Machine: "a machine elsewhere").Write(root);
        var z = new FakeSection("z", new[] { 1.0 });
        var doc = TalkReport.Build(root, Preset.Smoke, new TalkSection[] { a, z, new FakeSection("never", new[] { 1.0 }) });
        Assert.Equal(SectionStatus.Failed, doc.Sections[1].Status);
        Assert.Contains("interrupted", doc.Sections[1].Failure);
        Assert.Equal(SectionStatus.NotRun, doc.Sections[2].Status);
        Assert.Contains("a machine elsewhere", doc.About.Single(f => f.Name == "machine").Value);   // what the markers recorded, not this machine
        var e = Assert.Throws<LandscapeException>(() => Run(root, new TalkSection[] { a }, preset: Preset.Quick));
        Assert.Contains("holds a smoke reproduction", e.Message);
    }

    [Fact]
    public void OnlyNamesKnownSectionsInTheTalksOrder()
    {
        Assert.Equal(new[] { "surfaces", "langevin" }, Talk.Select(new[] { "langevin,surfaces" }).Select(s => s.Id));
        Assert.Equal(8, Talk.Select(null).Count);
        var e = Assert.Throws<LandscapeException>(() => Talk.Select(new[] { "surfaces", "nope" }));
        Assert.Contains("'nope'", e.Message);
        Assert.Contains("lr-regimes, minefield, surfaces, connectivity, double-descent, scale-invariance, langevin, power-laws", e.Message);
    }

    /// <summary>Two sub-experiments; the second fails while told to.</summary>
    sealed class TwoStepSection : TalkSection
    {
        public readonly List<string> Ran = new();
        public bool FailSecond = true;
        public int FirstSettings = 1;
        public override string Id => "two";
        public override string Title => "two steps";
        public override string Talk => "";
        public override string PaperScale => "";

        public override void Run(SectionContext context)
        {
            Step(context, "first", "first", new { a = FirstSettings }, 0, run => { Ran.Add("first"); File.WriteAllText(run.File("first.json"), "{}"); });
            Step(context, "second", "second", new { b = 2 }, 0, _ =>
            {
                Ran.Add("second");
                if (FailSecond) throw new LandscapeException("second broke");
            });
        }

        public override SectionFindings Read(string folder, Preset preset) => new(Array.Empty<Verdict>(), Array.Empty<ReportFigure>(),
            Array.Empty<ReportTable>(), Array.Empty<ReportFact>(), Array.Empty<string>(), Array.Empty<string>());
    }

    [Fact]
    public void ARerunKeepsTheSubExperimentsAFailedSectionFinished()
    {
        var root = Directory.CreateTempSubdirectory("ll-reproduce-").FullName;
        var section = new TwoStepSection();
        Assert.False(Run(root, new TalkSection[] { section }).Success);
        section.FailSecond = false;
        var log = new List<string>();
        Assert.True(Run(root, new TalkSection[] { section }, log).Success);
        Assert.Equal(new[] { "first", "second", "second" }, section.Ran);
        Assert.Contains(log, l => l.EndsWith("first: finished earlier, kept", StringComparison.Ordinal));
        Assert.Equal(RunStatus.Completed, RunDirectory.Open(Path.Combine(root, "sections", "two", "second")).ReadManifest().Status);
    }

    sealed class ThrowingSection(Exception e) : TalkSection
    {
        public override string Id => "throws";
        public override string Title => "throws";
        public override string Talk => "";
        public override string PaperScale => "";
        public override void Run(SectionContext context) => throw e;
        public override SectionFindings Read(string folder, Preset preset) => throw new InvalidOperationException("never read");
    }

    [Fact]
    public void AnInterruptionStopsTheWholeRunAndABugKeepsItsTrace()
    {
        var root = Directory.CreateTempSubdirectory("ll-reproduce-").FullName;
        var after = new FakeSection("after", new[] { 1.0 });
        Assert.Throws<RunInterruptedException>(() => Run(root, new TalkSection[] { new ThrowingSection(new RunInterruptedException("stop")), after }));
        Assert.Equal(0, after.Runs);
        Assert.Equal(SectionProgress.Running, SectionState.Read(root, "throws")!.Progress);

        var other = Directory.CreateTempSubdirectory("ll-reproduce-").FullName;
        var bug = Run(other, new TalkSection[] { new ThrowingSection(new InvalidOperationException("a bug")), after });
        Assert.Equal("InvalidOperationException: a bug", bug.Sections[0].Failure);
        Assert.Contains("at LossLandscape.Tests", File.ReadAllText(Path.Combine(other, "sections", "throws", "failure.txt")));
        Assert.Equal(SectionProgress.Completed, bug.Sections[1].Progress);
    }

    [Fact]
    public void ACompletedSectionWhoseFilesAreGoneRunsAgainAndTheReportShowsTheWholeTalk()
    {
        var root = Directory.CreateTempSubdirectory("ll-reproduce-").FullName;
        var a = new FakeSection("a", new[] { 1.0 });
        var b = new FakeSection("b", new[] { 1.0 });
        Run(root, new TalkSection[] { a });
        File.Delete(Path.Combine(root, "sections", "a", "fake.json"));
        var outcome = LossLandscape.Experiments.Reproduction.Reproduction.Run(new ReproduceSettings(Preset.Smoke, root), new TalkSection[] { a }, CPU, _ => true, _ => { },
            reported: new TalkSection[] { a, b });
        Assert.Equal(2, a.Runs);
        Assert.True(outcome.Success);
        var doc = TalkReport.Build(root, Preset.Smoke, new TalkSection[] { a, b });
        Assert.Equal(new[] { SectionStatus.Completed, SectionStatus.NotRun }, doc.Sections.Select(s => s.Status));
        Assert.Contains("Section b", File.ReadAllText(Path.Combine(root, "report.md")));
    }

    [Fact]
    public void AStepThatRanWithOtherSettingsRunsAgain()
    {
        var root = Directory.CreateTempSubdirectory("ll-reproduce-").FullName;
        var section = new TwoStepSection { FailSecond = false };
        Run(root, new TalkSection[] { section });
        File.Delete(SectionState.PathOf(root, "two"));   // make the section run again
        section.FirstSettings = 7;
        var log = new List<string>();
        Run(root, new TalkSection[] { section }, log);
        Assert.Equal(new[] { "first", "second", "first" }, section.Ran);
        Assert.Contains(log, l => l.EndsWith("first: finished earlier with other settings; removing it and running it again", StringComparison.Ordinal));
        Assert.Contains(log, l => l.EndsWith("second: finished earlier, kept", StringComparison.Ordinal));
    }
}
