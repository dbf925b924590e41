using System.CommandLine;
using LossLandscape.Experiments;
using LossLandscape.Experiments.Reproduction;
using LossLandscape.Reporting.Documents;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape reproduce`: every experiment of the talk in order, then report.html and report.md.</summary>
public static class ReproduceCommand
{
    public static Command Create()
    {
        var preset = new Option<Preset>("--preset") { Description = "smoke (CI, minutes), quick (Fashion-MNIST subsets, about half an hour on 2 cores) or paper (GPU)", DefaultValueFactory = _ => Preset.Quick };
        var only = new Option<string[]>("--only") { Description = $"sections to run, comma-separated: {string.Join(", ", Talk.Sections.Select(s => s.Id))}", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out", "-o") { Description = "result folder (default runs/reproduce-<preset>); rerunning into it skips finished sections" };
        var reportOnly = new Option<bool>("--report-only") { Description = "rebuild report.html and report.md from the folder's files without running anything (the folder's own preset is used)" };
        var check = new Option<bool>("--check") { Description = "open the report in headless Chromium: every figure loaded, no console errors; saves report.png" };
        var command = new Command("reproduce", "The whole talk: runs every experiment (skipping finished ones), then writes a self-contained report.html and report.md with a verdict per claim.")
            { preset, only, output, reportOnly, check, DataOptions.DataDir };
        RunnerOptions.AddTo(command);
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
            var chosen = p.GetValue(preset);
            var s = new ReproduceSettings(chosen, p.GetValue(output) ?? Path.Combine("runs", $"reproduce-{chosen.ToString().ToLowerInvariant()}"), p.GetValue(DataOptions.DataDir));
            var sections = Talk.Select(p.GetValue(only));
            string html;
            bool success = true;
            if (p.GetValue(reportOnly))
            {
                (html, var markdown) = TalkReport.Write(s.Out, Reproduction.PresetOf(s.Out), Talk.Sections);
                Console.WriteLine($"report: {html} and {markdown}");
            }
            else
            {
                // The sections analyse the runs they train: a runner that only submits or writes manifests cannot serve them.
                if (p.GetValue(RunnerOptions.Runner) == RunnerKind.Kubernetes || (p.GetValue(RunnerOptions.Runner) == RunnerKind.Slurm && p.GetValue(RunnerOptions.NoWait)))
                    throw new LandscapeException("reproduce analyses the runs it trains: use --runner local, or slurm without --no-wait");
                var outcome = Reproduction.Run(s, sections, device, sweep => RunnerOptions.Run(sweep, p)?.Success
                    ?? throw new LandscapeException("reproduce analyses the runs it trains: use --runner local, or slurm without --no-wait"), Console.WriteLine, Talk.Sections);
                foreach (var state in outcome.Sections.Where(x => x.Progress != SectionProgress.Completed))
                    Console.Error.WriteLine($"landscape: section {state.Id} failed: {state.Failure}");
                Console.WriteLine($"{outcome.Sections.Count(x => x.Progress == SectionProgress.Completed)} of {outcome.Sections.Count} sections done in {outcome.Seconds:F0} s");
                html = outcome.HtmlReport;
                success = outcome.Success;
            }
            if (p.GetValue(check))
            {
                var screenshot = Path.Combine(s.Out, "report.png");
                var result = BrowserCheck.Check(html, screenshot);
                Console.WriteLine($"browser check: {result.ImagesLoaded} of {result.Images} figures loaded, {result.ConsoleErrors.Count} console messages; screenshot {result.ScreenshotPath}");
                foreach (var problem in result.Problems) Console.Error.WriteLine($"landscape: report check: {problem}");
                if (!result.Passed) success = false;
            }
            return success ? ExitCodes.Success : ExitCodes.TasksFailed;
        });
        return command;
    }
}
