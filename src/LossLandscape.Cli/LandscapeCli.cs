using System.CommandLine;
using System.Text.RegularExpressions;
using LossLandscape.Cli.Commands;

namespace LossLandscape.Cli;

/// <summary>The landscape command line: its commands, and one place that turns errors into exit codes.</summary>
public static class LandscapeCli
{
    public static RootCommand CreateRoot()
    {
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
        root.Add(SweepCommand.Create());
        root.Add(EnsembleCommand.Create());
        root.Add(ReproduceCommand.Create());
        return root;
    }

    /// <summary>
    /// Runs one command line. Exit codes: 0 done, 1 a bug (with its stack trace), 2 bad input (one line on stderr),
    /// 3 the run diverged, 4 some tasks of a sweep failed, 130 interrupted.
    /// </summary>
    public static int Run(string[] args)
    {
        var parse = CreateRoot().Parse(args);
        if (parse.Errors.Count > 0 && !parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?"))
        {
            Console.Error.WriteLine($"landscape: {OneLine(parse.Errors[0].Message)} (see --help)");
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
        catch (RunInterruptedException e)
        {
            Console.Error.WriteLine($"landscape: {e.Message}");
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>The parser's message on one line; "cannot parse 'x' as an enum, did you mean A B" becomes a list of the choices.</summary>
    static string OneLine(string message)
    {
        var choice = Regex.Match(message, @"^Cannot parse argument '(?<value>[^']*)' for option '(?<option>[^']*)' as expected type '[^']*'\.\s*Did you mean one of the following\?\s*(?<choices>.*)$", RegexOptions.Singleline);
        if (!choice.Success) return message.ReplaceLineEndings(" ");
        var choices = choice.Groups["choices"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToLowerInvariant());
        return $"{choice.Groups["option"].Value}: '{choice.Groups["value"].Value}' is not one of {string.Join(", ", choices)}";
    }
}
