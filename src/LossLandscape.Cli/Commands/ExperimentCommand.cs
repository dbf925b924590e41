using System.CommandLine;
using LossLandscape.Experiments;
using LossLandscape.Runs;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape experiment NAME`: the experiments of the talk, each with smoke, quick and paper presets.</summary>
public static class ExperimentCommand
{
    public static readonly Option<Preset> PresetOption = new("--preset") { Description = "smoke (CI), quick (minutes on 2 cores) or paper", DefaultValueFactory = _ => Preset.Quick };
    public static readonly Option<string?> Out = new("--out", "-o") { Description = "result folder (default: runs/<experiment>-<preset>-<time>)" };

    public static Command Create()
    {
        var command = new Command("experiment", "Run an experiment of the talk.");
        command.Add(EdgeOfStabilityCommand());
        command.Add(MinefieldCommand());
        command.Add(PowerLawsCommand());
        command.Add(DoubleDescentCommand());
        command.Add(LangevinCommand.Create());
        command.Add(LrRegimesCommand("lr-regimes", patched: false,
            "Small LR, large LR and large LR annealed: accuracy per epoch with the anneal marked, flatness of the minima found (Li, Wei & Ma 2019)."));
        command.Add(LrRegimesCommand("patch-toy", patched: true,
            "The talk's toy: patch-augmented data; small LR memorises the patch early, large LR with annealing ends with better clean accuracy."));
        command.Add(ScaleInvarianceCommands.Periodic());
        command.Add(ScaleInvarianceCommands.Sphere());
        return command;
    }

    /// <summary>Creates the result folder with run.json for an experiment's settings.</summary>
    public static RunDirectory Output<T>(ParseResult p, string name, Preset preset, T settings, int seed)
    {
        var run = RunDirectory.Create(p.GetValue(Out) ?? Path.Combine("runs", $"{name}-{preset.ToString().ToLowerInvariant()}-{DateTime.Now:yyyyMMdd-HHmmss}"));
        run.WriteManifest(new RunManifest
        {
            Command = $"experiment {name}",
            Settings = RunManifest.ToSettings(new { preset, settings }),
            Seed = seed,
            Device = TorchRuntime.Device.ToString(),
            Threads = TorchRuntime.Threads,
        });
        return run;
    }

    public static void Finish(RunDirectory run, RunStatus status = RunStatus.Completed, string? detail = null) =>
        run.WriteManifest(run.ReadManifest() with { Status = status, StatusDetail = detail, Ended = DateTimeOffset.UtcNow });

    static Command LrRegimesCommand(string name, bool patched, string description)
    {
        var epochs = new Option<int?>("--epochs") { Description = "epochs of each run" };
        var anneal = new Option<int?>("--anneal-epoch") { Description = "epoch (0-based) from which the annealed run's LR is multiplied by --anneal-factor" };
        var factor = new Option<double?>("--anneal-factor") { Description = "anneal factor (0.04: 0.1 -> 0.004, the small LR)" };
        var small = new Option<double?>("--small-lr") { Description = "small learning rate" };
        var large = new Option<double?>("--large-lr") { Description = "large learning rate" };
        var noise = new Option<double?>("--noise") { Description = "activation noise of the small-LR-with-noise run" };
        var seeds = new Option<int[]>("--seeds") { Description = "seeds (one run per regime and seed)", AllowMultipleArgumentsPerToken = true };
        var trainSize = new Option<int?>("--train-size") { Description = "training subset" };
        var width = new Option<int?>("--width") { Description = "MLP width or CNN-k's k" };
        var model = new Option<string?>("--model") { Description = "mlp (default: 784-256-256-10) or cnn (CNN-k with BatchNorm, k = --width, default 8)" };
        var groups = new Option<bool>("--groups") { Description = "the talk's exact 20/20/60 groups instead of the paper code's stochastic patches" };
        var command = new Command(name, description) { PresetOption, Out, epochs, anneal, factor, small, large, noise, seeds, trainSize, model, width, DataOptions.Dataset, DataOptions.DataDir };
        if (patched) command.Add(groups);
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
            var preset = p.GetValue(PresetOption);
            var d = LrRegimesSettings.For(preset, patched);
            var s = d with
            {
                Epochs = p.GetValue(epochs) ?? d.Epochs, AnnealEpoch = p.GetValue(anneal) ?? d.AnnealEpoch, AnnealFactor = p.GetValue(factor) ?? d.AnnealFactor,
                SmallLr = p.GetValue(small) ?? d.SmallLr, LargeLr = p.GetValue(large) ?? d.LargeLr, Noise = p.GetValue(noise) ?? d.Noise,
                Seeds = p.GetValue(seeds) is { Length: > 0 } given ? given : d.Seeds, TrainSize = p.GetValue(trainSize) ?? d.TrainSize,
                Model = (p.GetValue(model), p.GetValue(width)) switch
                {
                    ({ } kind, var w) when Models.ModelRegistry.Get(kind).Name == "cnn" => new Models.ModelSpec("cnn", w ?? 8, BatchNorm: true),
                    ({ } kind, var w) => new Models.ModelSpec(Models.ModelRegistry.Get(kind).Name, w ?? 256, 2),
                    (null, { } w) => d.ModelOrDefault with { Width = w },
                    _ => d.Model,
                },
                Construction = p.GetValue(groups) ? Data.PatchConstruction.Groups : d.Construction, DataDir = p.GetValue(DataOptions.DataDir),
                Dataset = p.GetResult(DataOptions.Dataset) is null ? d.Dataset : p.GetValue(DataOptions.Dataset)!,
            };
            if (s.Epochs < 1 || s.AnnealEpoch < 0 || s.AnnealEpoch > s.Epochs) throw new LandscapeException("--epochs must be at least 1 and --anneal-epoch lie in [0, epochs]");
            var run = Output(p, name, preset, s, s.SeedsOrDefault[0]);
            var report = LearningRateRegimes.Run(s, run, device, Console.WriteLine);
            Finish(run);
            Console.WriteLine($"{report.Seconds:F0} s; {run.Path}");
            return ExitCodes.Success;
        });
        return command;
    }

    static Command MinefieldCommand()
    {
        var every = new Option<int?>("--every") { Description = "start a poisoned run from every k-th checkpoint of the good path" };
        var goodEpochs = new Option<int?>("--good-epochs") { Description = "epochs of the good run" };
        var maxEpochs = new Option<int?>("--max-poison-epochs") { Description = "epoch limit of each poisoned run" };
        var kinds = new Option<PoisonKind[]>("--poison") { Description = "wronglabels, dirtybatch (default both)", AllowMultipleArgumentsPerToken = true };
        var seeds = new Option<int[]>("--seeds") { Description = "seeds (one good run and its poisoned runs per seed)", AllowMultipleArgumentsPerToken = true };
        var trainSize = new Option<int?>("--train-size") { Description = "training subset (the poison is held out from the rest of the training split)" };
        var command = new Command("minefield", "Poor global minima next to the SGD path: from every k-th checkpoint, train on train + poisoned data until clean training accuracy is 99%.")
            { PresetOption, Out, every, goodEpochs, maxEpochs, kinds, seeds, trainSize, DataOptions.DataDir };
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
            var preset = p.GetValue(PresetOption);
            var d = MinefieldSettings.For(preset);
            var s = d with
            {
                Every = p.GetValue(every) ?? d.Every, GoodEpochs = p.GetValue(goodEpochs) ?? d.GoodEpochs, MaxPoisonEpochs = p.GetValue(maxEpochs) ?? d.MaxPoisonEpochs,
                Kinds = p.GetValue(kinds) is { Length: > 0 } k ? k : d.Kinds, Seeds = p.GetValue(seeds) is { Length: > 0 } given ? given : d.Seeds, TrainSize = p.GetValue(trainSize) ?? d.TrainSize,
                DataDir = p.GetValue(DataOptions.DataDir),
            };
            if (s.Every < 1 || s.GoodEpochs < 2 || s.MaxPoisonEpochs < 1) throw new LandscapeException("--every and --max-poison-epochs must be at least 1, --good-epochs at least 2");
            var run = Output(p, "minefield", preset, s, s.SeedsOrDefault[0]);
            var report = Minefield.Run(s, run, device, Console.WriteLine);
            Finish(run);
            foreach (var r in report.Seeds)
            {
                var reached = r.BadMinima.Where(b => b.ReachedTarget).ToList();
                Console.WriteLine($"seed {r.Seed}: good model test {r.GoodTestAccuracy:P2}; {reached.Count} of {r.BadMinima.Count} poisoned runs reached {s.TargetTrainAccuracy:P0} clean training accuracy" +
                                  (reached.Count > 0 ? $", test accuracy {reached.Min(b => b.TestAccuracy):P2}-{reached.Max(b => b.TestAccuracy):P2}, " +
                                                       $"distance from start {reached.Min(b => b.DistanceFromStart):G3}-{reached.Max(b => b.DistanceFromStart):G3} (path displacement {r.PathDisplacement:G3})" : ""));
            }
            Console.WriteLine($"{report.Seconds:F0} s; {run.Path}");
            return ExitCodes.Success;
        });
        return command;
    }

    static Command EdgeOfStabilityCommand()
    {
        var lr = new Option<double?>("--lr") { Description = "step size eta of full-batch gradient descent" };
        var momentum = new Option<double?>("--momentum") { Description = "heavy-ball momentum beta (threshold (2 + 2 beta)/eta)" };
        var steps = new Option<int?>("--steps") { Description = "gradient-descent steps" };
        var trainSize = new Option<int?>("--train-size") { Description = "training subset (full batch)" };
        var every = new Option<int?>("--eigen-every") { Description = "measure the top eigenvalue every N steps" };
        var width = new Option<int?>("--width") { Description = "MLP width" };
        var seed = new Option<int?>("--seed") { Description = "seed" };
        var command = new Command("edge-of-stability", "Full-batch GD drives the top Hessian eigenvalue to 2/eta and it hovers there (Cohen et al. 2021).")
            { PresetOption, Out, lr, momentum, steps, trainSize, every, width, seed, DataOptions.DataDir };
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
            var preset = p.GetValue(PresetOption);
            var d = EdgeOfStabilitySettings.For(preset);
            var s = d with
            {
                LearningRate = p.GetValue(lr) ?? d.LearningRate, Momentum = p.GetValue(momentum) ?? d.Momentum,
                Steps = p.GetValue(steps) ?? d.Steps, TrainSize = p.GetValue(trainSize) ?? d.TrainSize,
                EigenEvery = p.GetValue(every) ?? d.EigenEvery, Width = p.GetValue(width) ?? d.Width, Seed = p.GetValue(seed) ?? d.Seed,
                DataDir = p.GetValue(DataOptions.DataDir),
            };
            if (!(s.LearningRate > 0) || s.Momentum is < 0 or >= 1 || s.Steps < 1 || s.EigenEvery < 1)
                throw new LandscapeException("--lr must be positive, --momentum in [0, 1), --steps and --eigen-every at least 1");
            var run = Output(p, "edge-of-stability", preset, s, s.Seed);
            var report = EdgeOfStability.Run(s, run, device, Console.WriteLine);
            Finish(run, report.Status.StartsWith("diverged") ? RunStatus.Diverged : RunStatus.Completed, report.Status);
            Console.WriteLine(report.FirstReach is { } first
                ? $"threshold {report.Threshold:G4}; at 90% or more from step {first} to {report.LastReach}; median there {report.HoverMedian:P0} of the threshold, " +
                  $"{report.HoverShareWithin10:P0} of samples within 10%; max {report.MaxRelative:P0}; {report.Seconds:F0} s; {run.Path}"
                : $"threshold {report.Threshold:G4}; never reached 90% of it (max {report.MaxRelative:P0}); {report.Seconds:F0} s; {run.Path}");
            return ExitCodes.Success;
        });
        return command;
    }

    static Command PowerLawsCommand()
    {
        var widths = new Option<int[]>("--widths") { Description = "MLP widths of the pool", AllowMultipleArgumentsPerToken = true };
        var members = new Option<int[]>("--members") { Description = "members per width (one number or one per width)", AllowMultipleArgumentsPerToken = true };
        var epochs = new Option<int?>("--epochs") { Description = "epochs per member" };
        var trainSize = new Option<int?>("--train-size") { Description = "training subset shared by all members" };
        var command = new Command("power-laws", "Deep ensembles: CNLL(n) = c + b n^a per width, the law in width, the memory split and its prediction from n <= 4 (Lobacheva et al. 2020).")
            { PresetOption, Out, widths, members, epochs, trainSize, DataOptions.DataDir };
        RunnerOptions.AddTo(command);
        command.SetAction(p =>
        {
            GlobalOptions.Apply(p);
            var preset = p.GetValue(PresetOption);
            var d = PowerLawsSettings.For(preset);
            var w = p.GetValue(widths) is { Length: > 0 } gw ? gw : d.Widths.ToArray();
            var m = p.GetValue(members) is { Length: > 0 } gm ? gm : d.Members.ToArray();
            if (m.Length == 1 && w.Length > 1) m = Enumerable.Repeat(m[0], w.Length).ToArray();
            var s = d with { Widths = w, Members = m, Epochs = p.GetValue(epochs) ?? d.Epochs, TrainSize = p.GetValue(trainSize) ?? d.TrainSize, DataDir = p.GetValue(DataOptions.DataDir) };
            s.Validate();
            var run = Output(p, "power-laws", preset, s, 0);
            var report = PowerLaws.Run(s, run, pool => EnsembleCommand.TrainPool(pool, p)
                ?? throw new LandscapeException("the experiment analyses the pool it trains: use --runner local, or slurm without --no-wait (or ensemble train-pool, then ensemble analyze)"), Console.WriteLine);
            Finish(run);
            Console.WriteLine($"training {report.TrainingSeconds:F0} s, analysis {report.AnalysisSeconds:F0} s; {run.Path}");
            return ExitCodes.Success;
        });
        return command;
    }

    static Command DoubleDescentCommand()
    {
        var axis = new Option<DescentAxis>("--axis") { Description = "width (CNN-k's k), epochs, samples (training-set size) or features (random Fourier features, min-norm)", DefaultValueFactory = _ => DescentAxis.Width };
        var widths = new Option<int[]>("--widths") { Description = "width axis: the widths", AllowMultipleArgumentsPerToken = true };
        var width = new Option<int?>("--width") { Description = "epochs and samples axes: the width" };
        var trainSizes = new Option<int[]>("--train-sizes") { Description = "samples axis: the training-set sizes", AllowMultipleArgumentsPerToken = true };
        var trainSize = new Option<int?>("--train-size") { Description = "training subset (width, epochs and features axes)" };
        var epochs = new Option<int?>("--epochs") { Description = "epochs of each run" };
        var evalEvery = new Option<int?>("--eval-every") { Description = "epochs axis: evaluate every this many epochs" };
        var noise = new Option<double?>("--label-noise") { Description = "share of training labels corrupted once for all runs (default 0.2)" };
        var model = new Option<string?>("--model") { Description = "cnn (default) or mlp" };
        var seeds = new Option<int[]>("--seeds") { Description = "seeds (initialisation and shuffling; the noise is fixed)", AllowMultipleArgumentsPerToken = true };
        var anneal = new Option<int?>("--anneal-epoch") { Description = "drop the learning rate tenfold from this epoch (marked in the figures)" };
        var optimizer = new Option<string?>("--optimizer") { Description = "adam (default) or sgd (plain, no momentum, as in Nakkiran et al.)" };
        var lr = new Option<double?>("--lr") { Description = "learning rate (default 1e-3)" };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "L2 weight decay (default 0)" };
        var siSharpness = new Option<int?>("--si-sharpness") { Description = "mlp-si / convnet-si: log weight norm and lambda_max * rho^2 every N epochs (epochs axis: memorisation and consolidation)" };
        var command = new Command("double-descent", "Model-, epoch- and sample-wise double descent with label noise, raw and calibrated test NLL; random Fourier features with a min-norm fit.")
            { PresetOption, Out, axis, widths, width, trainSizes, trainSize, epochs, evalEvery, noise, model, seeds, anneal, siSharpness, optimizer, lr, weightDecay, DataOptions.DataDir };
        RunnerOptions.AddTo(command);
        command.SetAction(p =>
        {
            var device = GlobalOptions.Apply(p);
            var preset = p.GetValue(PresetOption);
            var a = p.GetValue(axis);
            var d = DoubleDescentSettings.For(preset, a);
            var s = d with
            {
                Widths = p.GetValue(widths) is { Length: > 0 } w ? w : d.Widths, Width = p.GetValue(width) ?? d.Width,
                TrainSizes = p.GetValue(trainSizes) is { Length: > 0 } n ? n : d.TrainSizes, TrainSize = p.GetValue(trainSize) ?? d.TrainSize,
                Epochs = p.GetValue(epochs) ?? d.Epochs, EvalEvery = p.GetValue(evalEvery) ?? d.EvalEvery, LabelNoise = p.GetValue(noise) ?? d.LabelNoise,
                Model = p.GetValue(model) is { } m ? Models.ModelRegistry.Get(m).Name : d.Model,
                Seeds = p.GetValue(seeds) is { Length: > 0 } given ? given : d.Seeds, DataDir = p.GetValue(DataOptions.DataDir),
                AnnealEpoch = p.GetValue(anneal) ?? d.AnnealEpoch, SiSharpnessEvery = p.GetValue(siSharpness) ?? d.SiSharpnessEvery,
                Optimizer = p.GetValue(optimizer) is { } o
                    ? (Enum.TryParse<Training.OptimizerKind>(o, ignoreCase: true, out var kind) ? kind.ToString().ToLowerInvariant()
                        : throw new LandscapeException($"--optimizer: '{o}' is not one of adam, sgd"))
                    : d.Optimizer,
                LearningRate = p.GetValue(lr) ?? d.LearningRate, WeightDecay = p.GetValue(weightDecay) ?? d.WeightDecay,
            };
            s.Validate();
            var run = Output(p, $"double-descent-{a.ToString().ToLowerInvariant()}", preset, s, s.SeedsOrDefault[0]);
            var report = DoubleDescent.Run(s, run, device, sweep => RunnerOptions.Run(sweep, p)?.Success
                ?? throw new LandscapeException("the experiment analyses the runs it trains: use --runner local, or slurm without --no-wait"), Console.WriteLine);
            Finish(run);
            Console.WriteLine($"{report.Seconds:F0} s; {run.Path}");
            return ExitCodes.Success;
        });
        return command;
    }
}
