using System.CommandLine;
using LossLandscape.Cli.Terminal;
using LossLandscape.Data;

namespace LossLandscape.Cli.Commands;

/// <summary>`landscape data fetch|info`: obtain a dataset, or say where it was found and what it holds.</summary>
public static class DataCommand
{
    static readonly Argument<string> Name = new("dataset") { Description = "fashion-mnist, mnist, cifar-10 or cifar-100", DefaultValueFactory = _ => "fashion-mnist" };
    static readonly Option<string?> Destination = new("--to") { Description = "download into this folder (default: the user cache)" };
    static readonly Option<string?> Source = new("--source") { Description = "base URL to download from (default: the dataset's official source)" };
    static readonly Option<string?> DataDir = new("--data-dir") { Description = "where to look for the dataset first" };

    public static Command Create()
    {
        var fetch = new Command("fetch", "Download a dataset and verify the SHA-256 of its decompressed files.") { Name, Destination, Source };
        fetch.SetAction(p =>
        {
            var folder = DownloadProgress.Run(p.GetValue(GlobalOptions.Progress),
                progress => Downloader.Fetch(p.GetValue(Name)!, p.GetValue(Destination), p.GetValue(Source), progress));
            Console.WriteLine($"{p.GetValue(Name)}: verified and stored in {folder}");
            return ExitCodes.Success;
        });
        var info = new Command("info", "Say where a dataset was found, its files, sizes, shapes and whether its hashes check out.") { Name, DataDir };
        info.SetAction(p =>
        {
            foreach (var line in DataCatalog.Describe(p.GetValue(Name)!, p.GetValue(DataDir)).ToLines())
                Console.WriteLine(line);
            return ExitCodes.Success;
        });
        return new Command("data", "Obtain and inspect datasets.") { fetch, info };
    }
}
