using LossLandscape.Cli;

return LandscapeCli.Run(args);
