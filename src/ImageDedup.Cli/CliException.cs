namespace ImageDedup.Cli;

/// <summary>An error the tool explains to the user in one line, with the exit code it ends with.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
        Code = code;
    }

    /// <summary>The process exit code (see <see cref="ExitCodes"/>).</summary>
    public int ExitCode { get; }

    /// <summary>A stable, machine-readable name of the error, e.g. <c>path-not-found</c>.</summary>
    public string Code { get; }

    public static CliException NotFound(string what) => new(ExitCodes.NotFound, "not-found", what);

    public static CliException Usage(string what) => new(ExitCodes.Usage, "usage", what);
}
