using System.CommandLine;
using ImageDedup.Cli;

var root = new RootCommand("Store every image once, by content, and delete it exactly when its last holder releases it.\n"
    + "Runs ImageDedup on the embedded default: a SQLite catalogue and file-system blobs under --data.");
foreach (var command in Commands.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
