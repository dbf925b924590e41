using System.CommandLine;
using LossLandscape;
using LossLandscape.Cli;
using LossLandscape.Cli.Commands;

// Exit codes: 0 done, 1 a bug (with its stack trace), 2 bad input (one line on stderr), 3 the run diverged.
var root = new RootCommand("landscape: loss landscapes of deep neural networks, from the talk to numbers.");
GlobalOptions.AddTo(root);
root.Add(TrainCommand.Create());
root.Add(DataCommand.Create());
root.Add(DoctorCommand.Create());
root.Add(InterpolateCommand.Create());
root.Add(SliceCommand.Create());
root.Add(HessianCommand.Create());
root.Add(SharpnessCommand.Create());
root.Add(ConnectCommand.Create());
root.Add(RebasinCommands.Permute());
root.Add(RebasinCommands.Match());
root.Add(RebasinCommands.Drift());
root.Add(ExperimentCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0 && !parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?"))
{
    Console.Error.WriteLine($"landscape: {parse.Errors[0].Message} (see --help)");
    return ExitCodes.BadInput;
}
try
{
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (LandscapeException e)
{
    Console.Error.WriteLine($"landscape: {e.Message.ReplaceLineEndings(" ")}");
    return ExitCodes.BadInput;
}
