using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace ImageDedup.Cli;

/// <summary>
/// The engine's warnings as one line each on stderr (its message and the exception's message, no
/// stack trace), the tool's promise for everything it prints; --verbose uses the full console format.
/// </summary>
internal sealed class EngineLogFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "imagededup-one-line";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var level = logEntry.LogLevel >= LogLevel.Error ? "error" : "warning";
        var cause = logEntry.Exception is { } exception ? $" ({exception.GetType().Name}: {exception.Message})" : string.Empty;
        textWriter.WriteLine($"imagededup: {level}: {message}{cause}".ReplaceLineEndings(" "));
    }
}
