using System.Globalization;
using LossLandscape.Runs;
using LossLandscape.Training;
using Spectre.Console;

namespace LossLandscape.Cli.Terminal;

/// <summary>
/// Shows training as it goes: on a terminal a bar over all steps with the running loss and an ETA, and one line
/// per finished epoch; when redirected, only the epoch lines (plain text, one per line); with --progress none, nothing.
/// </summary>
public sealed class TrainingProgress : ITrainingCallback
{
    const int RefreshEverySteps = 20;
    readonly ProgressMode mode;
    ProgressTask? bar;

    public TrainingProgress(ProgressMode mode) => this.mode = mode;

    /// <summary>Runs <paramref name="work"/> with a live bar when the mode asks for one.</summary>
    public T Run<T>(string title, Func<T> work)
    {
        if (!ProgressModes.IsLive(mode)) return work();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                bar = ctx.AddTask(Markup.Escape(title));
                result = work();
            });
        return result;
    }

    public void OnStart(Trainer trainer)
    {
        if (bar is null) return;
        bar.MaxValue = Math.Max(1, (double)trainer.Settings.Epochs * trainer.StepsPerEpoch);
        bar.Value = trainer.GlobalStep;
    }

    public void OnStep(Trainer trainer, in StepInfo step)
    {
        if (bar is null || step.StepInEpoch % RefreshEverySteps != 0) return;
        bar.Value = step.GlobalStep;
        bar.Description = string.Create(CultureInfo.InvariantCulture,
            $"epoch {step.Epoch + 1}/{trainer.Settings.Epochs}  loss {step.Loss.item<float>():F4}");
    }

    public void OnEpoch(Trainer trainer, EpochEnd epoch)
    {
        if (mode == ProgressMode.None) return;
        var line = Describe(epoch.Row, trainer.Settings.Epochs);
        if (bar is not null) AnsiConsole.WriteLine(line);
        else Console.WriteLine(line);
    }

    public static string Describe(MetricsRow r, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}/{epochs}  train loss {r.TrainLoss:F4} acc {r.TrainAccuracy:P2}  test loss {r.TestLoss:F4} acc {r.TestAccuracy:P2}  lr {r.LearningRate:G4}  {r.EpochSeconds:F1} s");
}
