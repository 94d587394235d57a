namespace ImageDedup.Cli;

/// <summary>The tool's exit codes; the README's table lists the same.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Success = 0;

    /// <summary>The command ran to its end but found something that needs attention: unreadable files, missing or corrupt originals.</summary>
    public const int ProblemsFound = 1;

    /// <summary>The command line is wrong: unknown option, missing argument, invalid holder key or prefix.</summary>
    public const int Usage = 2;

    /// <summary>Something named on the command line does not exist: a path, a holder, an original, the store.</summary>
    public const int NotFound = 3;

    /// <summary>The store cannot be opened or used (not a store, locked, damaged, not writable).</summary>
    public const int StoreUnusable = 4;

    /// <summary>A file outside the store could not be written (export).</summary>
    public const int OutputFailed = 5;

    /// <summary>A bug in the tool: an unexpected exception (its type and message are printed, the trace only with --verbose).</summary>
    public const int InternalError = 70;

    /// <summary>Interrupted (Ctrl+C); the engine leaves nothing half-done behind.</summary>
    public const int Interrupted = 130;
}
