using System.CommandLine;
using System.Text.Json;
using LossLandscape.Ensembles;
using LossLandscape.Experiments;
using LossLandscape.Runs;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape ensemble train-pool | analyze`: pools of independently trained members per width, and their power laws.</summary>
public static class EnsembleCommand
{
    static readonly Option<string> Model = new("--model") { Description = "mlp or cnn", DefaultValueFactory = _ => "mlp" };
    static readonly Option<int[]> Widths = new("--widths") { Description = "widths of the pool (mlp hidden units, cnn k)", AllowMultipleArgumentsPerToken = true, Required = true };
    static readonly Option<int[]> Members = new("--members") { Description = "members per width: one number for all, or one per width", AllowMultipleArgumentsPerToken = true, Required = true };
    static readonly Option<int> Depth = new("--depth") { Description = "hidden layers (mlp)", DefaultValueFactory = _ => 2 };
    static readonly Option<int> Epochs = new("--epochs") { Description = "epochs per member", DefaultValueFactory = _ => 20 };
    static readonly Option<double> Lr = new("--lr") { Description = "base learning rate (constant to 50%, linear to 1% at 90%)", DefaultValueFactory = _ => 0.05 };
    static readonly Option<double> WeightDecay = new("--weight-decay") { Description = "L2 weight decay", DefaultValueFactory = _ => 0.0 };
    static readonly Option<string> PoolOut = new("--out", "-o") { Description = "pool folder", Required = true };
    static readonly Argument<string> Pool = new("pool") { Description = "a pool folder (made by train-pool)" };
    static readonly Option<string?> AnalysisOut = new("--out", "-o") { Description = "result folder (default: POOL/analysis)" };
    static readonly Option<TemperatureSetup> Setup = new("--setup") { Description = "afteraveraging: temperature on the log of the mean probability; beforeaveraging: on each member's logits", DefaultValueFactory = _ => TemperatureSetup.AfterAveraging };
    static readonly Option<int> MaxSubsets = new("--max-subsets") { Description = "ensembles drawn per size (all when fewer exist)", DefaultValueFactory = _ => 5 };

    public static Command Create()
    {
        var train = new Command("train-pool", "Train N members per width through the sweep runner (local, Slurm or Kubernetes); their test logits are kept.")
        {
            Model, Widths, Members, Depth, Epochs, Lr, WeightDecay, PoolOut, DataOptions.TrainSize, DataOptions.LabelNoise, DataOptions.DataDir,
        };
        RunnerOptions.AddTo(train);
        train.SetAction(p =>
        {
            var plan = PoolPlan.Create(Models.ModelRegistry.Get(p.GetValue(Model)!).Name, p.GetValue(Widths)!, p.GetValue(Members)!, p.GetValue(Depth), p.GetValue(Epochs),
                p.GetValue(DataOptions.TrainSize), p.GetValue(Lr), p.GetValue(WeightDecay), p.GetValue(DataOptions.LabelNoise), p.GetValue(DataOptions.DataDir));
            var pool = EnsemblePool.CreateOrOpen(p.GetValue(PoolOut)!, plan);
            return TrainPool(pool, p) switch
            {
                true => ExitCodes.Success,
                false => ExitCodes.TasksFailed,
                null => ExitCodes.Success, // submitted (--no-wait) or manifests written: `ensemble analyze` once the members are done
            };
        });

        var analyze = new Command("analyze", "CNLL against ensemble size per width, power-law fits (all n and n <= 4), law in width, memory split and its prediction, figures.")
        {
            Pool, AnalysisOut, Setup, MaxSubsets,
        };
        analyze.SetAction(p =>
        {
            var pool = EnsemblePool.Open(p.GetValue(Pool)!);
            var folder = p.GetValue(AnalysisOut) ?? Path.Combine(pool.Path, "analysis");
            Directory.CreateDirectory(folder);
            var (study, verdicts, findings, seconds) = PowerLaws.Analyze(pool, new PowerLawSettings(p.GetValue(Setup), p.GetValue(MaxSubsets)), folder, Console.WriteLine);
            AtomicFile.WriteAllText(Path.Combine(folder, "power-laws.json"), JsonSerializer.Serialize(new { study, verdicts, findings, seconds }, RunManifest.Json));
            Console.WriteLine($"{seconds:F0} s; {folder}");
            return ExitCodes.Success;
        });
        return new Command("ensemble", "Deep ensembles: pools of members per width, calibration and power laws.") { train, analyze };
    }

    /// <summary>
    /// Trains every width's unfinished members with the runner the options name: true when all are done, false when
    /// some failed, null when the runner only submitted them (Slurm --no-wait) or wrote manifests (Kubernetes).
    /// </summary>
    public static bool? TrainPool(EnsemblePool pool, ParseResult p)
    {
        bool? all = true;
        foreach (var sweep in pool.Sweeps())
        {
            var outcome = RunnerOptions.Run(sweep, p);
            if (outcome is null) all = null;
            else if (!outcome.Success && all is not null) all = false;
        }
        return all;
    }
}
