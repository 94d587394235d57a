using ImageDedup.ProcessHost;

// Usage: ImageDedup.ProcessHost <command> [arguments...]
// Each command returns 0 on success and writes its failure to stderr otherwise.
if (args.Length == 0)
{
    await Console.Error.WriteLineAsync("usage: ImageDedup.ProcessHost <command> [arguments...]; commands: sqlite-hammer, crash, maintain");
    return 2;
}

try
{
    return args[0] switch
    {
        SqliteHammerCommand.Name => await SqliteHammerCommand.RunAsync(args[1..]),
        CrashCommand.Name => await CrashCommand.RunAsync(args[1..]),
        MaintainCommand.Name => await MaintainCommand.RunAsync(args[1..]),
        _ => Unknown(args[0]),
    };
}
catch (Exception exception)
{
    await Console.Error.WriteLineAsync(exception.ToString());
    return 1;
}

static int Unknown(string command)
{
    Console.Error.WriteLine($"unknown command '{command}'");
    return 2;
}
