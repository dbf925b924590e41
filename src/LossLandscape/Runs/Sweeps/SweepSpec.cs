using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LossLandscape.Runs.Sweeps;

/// <summary>One option of a landscape command and the tokens that follow it (none for a flag).</summary>
public sealed record SweepArgument(string Option, IReadOnlyList<string> Tokens)
{
    public IEnumerable<string> ToArgs() => Tokens.Prepend("--" + Option);
}

/// <summary>One axis of the grid: an option and the values it takes, in the order written.</summary>
public sealed record SweepAxis(string Option, IReadOnlyList<string> Values);

/// <summary>What one task asks of a scheduler. Threads is what a task uses; Time and Memory are passed to Slurm and Kubernetes as written.</summary>
public sealed record SweepResources(int Threads = 1, string Time = "01:00:00", string Memory = "4G");

/// <summary>
/// A sweep: one landscape command (e.g. <c>train</c> or <c>experiment minefield</c>), fixed arguments, and a grid
/// whose Cartesian product gives the tasks. Written in YAML or JSON:
/// <code>
/// name: mlp-width            # optional; default: the file's name
/// command: train
/// args: { model: mlp, epochs: 2, train-size: 2000, bn: true }   # true: a flag; false: left out; a list: several tokens
/// grid:                      # the first axis varies slowest
///   width: [16, 64, 256]
///   seed: [0, 1, 2]
/// resources: { threads: 1, time: "00:30:00", memory: 4G }
/// </code>
/// The sweep owns <c>--out</c> (each task writes to a folder named after its parameters), <c>--threads</c> and <c>--progress</c>.
/// </summary>
public sealed record SweepSpec(string Name, IReadOnlyList<string> Command, IReadOnlyList<SweepArgument> Arguments, IReadOnlyList<SweepAxis> Grid, SweepResources Resources)
{
    /// <summary>Options a spec may not set: the sweep decides them per task.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string> { "out", "o", "resume", "threads", "progress" };

    static readonly string[] TopLevelKeys = { "name", "command", "args", "grid", "resources" };

    public int TaskCount => Grid.Aggregate(1, (n, axis) => checked(n * axis.Values.Count));

    /// <summary>Reads a spec file (YAML, or JSON, which is YAML too).</summary>
    public static SweepSpec Load(string path)
    {
        if (!File.Exists(path)) throw new LandscapeException($"{path}: no such sweep spec");
        return Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path), path);
    }

    public static SweepSpec Parse(string text, string defaultName, string source = "sweep spec")
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode m
                ? m
                : throw new LandscapeException($"{source}: a sweep spec is one mapping with {string.Join(", ", TopLevelKeys)}");
        }
        catch (YamlException e)
        {
            throw new LandscapeException($"{source}: not valid YAML or JSON at line {e.Start.Line}: {FirstLine(e.InnerException?.Message ?? e.Message)}");
        }

        foreach (var key in root.Children.Keys)
            if (!TopLevelKeys.Contains(Scalar(key, source)))
                throw new LandscapeException($"{source}: unknown key '{Scalar(key, source)}' (a spec has {string.Join(", ", TopLevelKeys)})");

        string name = Find(root, "name") is { } n ? Scalar(n, source) : defaultName;
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new LandscapeException($"{source}: name '{name}' must be letters, digits, '-', '_' or '.'");

        var commandNode = Find(root, "command") ?? throw new LandscapeException($"{source}: 'command' is missing (e.g. command: train)");
        var command = commandNode is YamlSequenceNode seq
            ? seq.Children.Select(c => Scalar(c, source)).ToList()
            : Scalar(commandNode, source).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (command.Count == 0 || command.Any(w => w.StartsWith('-')))
            throw new LandscapeException($"{source}: 'command' names a landscape command (e.g. train or experiment minefield), without options");
        if (command[0] == "sweep") throw new LandscapeException($"{source}: a sweep cannot run sweeps");

        var arguments = new List<SweepArgument>();
        if (Find(root, "args") is { } argsNode)
        {
            foreach (var (key, value) in Mapping(argsNode, "args", source))
            {
                var option = Option(key, source);
                if (value is YamlSequenceNode list)
                    arguments.Add(new SweepArgument(option, list.Children.Select(c => Scalar(c, source)).ToList()));
                else if (Boolean(value) is { } flag)
                {
                    if (flag) arguments.Add(new SweepArgument(option, Array.Empty<string>()));
                }
                else arguments.Add(new SweepArgument(option, new[] { Scalar(value, source) }));
            }
        }

        var grid = new List<SweepAxis>();
        if (Find(root, "grid") is { } gridNode)
        {
            foreach (var (key, value) in Mapping(gridNode, "grid", source))
            {
                var option = Option(key, source);
                if (arguments.Any(a => a.Option == option))
                    throw new LandscapeException($"{source}: '{option}' is both a fixed argument and a grid axis");
                var values = value is YamlSequenceNode list
                    ? list.Children.Select(c => Scalar(c, source)).ToList()
                    : new List<string> { Scalar(value, source) };
                if (values.Count == 0) throw new LandscapeException($"{source}: grid axis '{option}' has no values");
                if (values.Distinct().Count() != values.Count) throw new LandscapeException($"{source}: grid axis '{option}' repeats a value");
                grid.Add(new SweepAxis(option, values));
            }
        }

        var resources = new SweepResources();
        if (Find(root, "resources") is { } resourcesNode)
        {
            foreach (var (key, value) in Mapping(resourcesNode, "resources", source))
            {
                var k = Scalar(key, source);
                var v = Scalar(value, source);
                resources = k switch
                {
                    "threads" when int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int t) && t >= 1 => resources with { Threads = t },
                    "threads" => throw new LandscapeException($"{source}: resources.threads must be a positive integer, got '{v}'"),
                    "time" => resources with { Time = v },
                    "memory" => resources with { Memory = v },
                    _ => throw new LandscapeException($"{source}: unknown resource '{k}' (threads, time, memory)"),
                };
            }
        }

        var spec = new SweepSpec(name, command, arguments, grid, resources);
        if (spec.TaskCount > 100_000) throw new LandscapeException($"{source}: {spec.TaskCount} tasks is more than a sweep takes (100,000)");
        return spec;
    }

    /// <summary>The tasks, numbered from 0 in a fixed order: the grid's first axis varies slowest.</summary>
    public IReadOnlyList<SweepTask> Expand()
    {
        var tasks = new List<SweepTask>(TaskCount);
        var counters = new int[Grid.Count];
        for (int index = 0; index < TaskCount; index++)
        {
            var parameters = Grid.Select((axis, i) => new KeyValuePair<string, string>(axis.Option, axis.Values[counters[i]])).ToList();
            var args = new List<string>(Command);
            foreach (var a in Arguments) args.AddRange(a.ToArgs());
            foreach (var (option, value) in parameters)
            {
                // true/false in a grid switch a flag on or off.
                if (value == "false") continue;
                args.Add("--" + option);
                if (value != "true") args.Add(value);
            }
            tasks.Add(new SweepTask(index, parameters, FolderName(parameters), args));
            for (int i = Grid.Count - 1; i >= 0; i--)
            {
                if (++counters[i] < Grid[i].Values.Count) break;
                counters[i] = 0;
            }
        }
        var clash = tasks.GroupBy(t => t.Folder).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new LandscapeException($"tasks {string.Join(" and ", clash.Select(t => t.Index))} would share the folder '{clash.Key}'; use values that differ in letters or digits");
        return tasks;
    }

    /// <summary>A task's folder is a function of its parameters only: <c>width-64_seed-1</c>.</summary>
    public static string FolderName(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        if (parameters.Count == 0) return "task";
        var name = new StringBuilder();
        foreach (var (option, value) in parameters)
        {
            if (name.Length > 0) name.Append('_');
            name.Append(option).Append('-');
            foreach (char c in value) name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '-' ? c : '_');
        }
        return name.ToString();
    }

    static YamlNode? Find(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    static IEnumerable<(YamlNode Key, YamlNode Value)> Mapping(YamlNode node, string what, string source) =>
        node is YamlMappingNode map
            ? map.Children.Select(kv => (kv.Key, kv.Value))
            : throw new LandscapeException($"{source}: '{what}' must be a mapping of option names to values");

    static string Option(YamlNode key, string source)
    {
        var option = Scalar(key, source).TrimStart('-');
        if (option.Length == 0 || option.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-')))
            throw new LandscapeException($"{source}: '{Scalar(key, source)}' is not an option name");
        if (Reserved.Contains(option))
            throw new LandscapeException($"{source}: the sweep sets --{option} itself; remove it from the spec");
        return option;
    }

    static bool? Boolean(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } v } ? v switch { "true" or "True" => true, "false" or "False" => false, _ => null } : null;

    static string Scalar(YamlNode node, string source) => node switch
    {
        YamlScalarNode s when Boolean(s) is { } b => b ? "true" : "false",
        YamlScalarNode { Value: { } v } => v,
        _ => throw new LandscapeException($"{source}: expected a plain value at line {node.Start.Line}, found a {(node is YamlSequenceNode ? "list" : "mapping")}"),
    };

    static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}

/// <summary>One task of a sweep: its number, its grid values, its folder and the command line (without --out).</summary>
public sealed record SweepTask(int Index, IReadOnlyList<KeyValuePair<string, string>> Parameters, string Folder, IReadOnlyList<string> Arguments);
