using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Testing.Logging;

/// <summary>Keeps every log message, so tests can count what happened across concurrent stores.</summary>
/// <typeparam name="T">The category.</typeparam>
public sealed class CapturingLogger<T> : ILogger<T>
{
    /// <summary>Every message logged, in order.</summary>
    public ConcurrentQueue<(LogLevel Level, EventId Event, string Message)> Entries { get; } = new();

    /// <inheritdoc/>
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc/>
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc/>
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
}
