using System.Data;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite;

/// <summary>
/// Open connections of one store, each with its compiled statements (<see cref="SqliteStatementCache"/>).
/// Microsoft.Data.Sqlite's own pool keeps the database handle but disposes a connection's commands
/// when it is closed, so its callers compile every statement and run the connection pragmas on every
/// operation; a connection kept open here skips both.
/// </summary>
/// <remarks>
/// A connection goes back only after an operation that completed, or was refused by the store itself
/// once its statements had finished: one that threw anything else (a cancellation, a busy timeout, an
/// I/O error) is closed, so that no half-run statement or transaction outlives its operation. At most <see cref="MaxIdle"/> wait; more in use at once are closed when returned.
/// </remarks>
internal sealed class SqliteConnectionPool : IAsyncDisposable, IDisposable
{
    /// <summary>The most idle connections kept: SQLite runs one writer at a time, so more buy readers only.</summary>
    internal const int MaxIdle = 8;

    private readonly SqliteConnectionFactory _factory;
    private readonly Stack<SqliteConnection> _idle = new();
    private bool _disposed;

    public SqliteConnectionPool(SqliteConnectionFactory factory) => _factory = factory;

    /// <summary>
    /// Runs <paramref name="work"/> on a kept connection (or a new one), then keeps the connection if
    /// the work completed or the store refused it itself (<see cref="ImageDedupException"/>, raised
    /// after its statements finished and its transaction rolled back), else closes it.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        var completed = false;
        try
        {
            var result = await work(connection).ConfigureAwait(false);
            completed = true;
            return result;
        }
        catch (ImageDedupException)
        {
            completed = true;
            throw;
        }
        finally
        {
            await ReturnAsync(connection, completed).ConfigureAwait(false);
        }
    }

    /// <summary>An idle connection, or a newly opened one.</summary>
    private async Task<SqliteConnection> RentAsync(CancellationToken cancellationToken)
    {
        lock (_idle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle))
            {
                return idle;
            }
        }

        var connection = await _factory.OpenAsync(cancellationToken).ConfigureAwait(false);
        SqliteStatementCache.Attach(connection);
        return connection;
    }

    /// <summary>Takes <paramref name="connection"/> back when <paramref name="completed"/> and there is room; closes it otherwise.</summary>
    private ValueTask ReturnAsync(SqliteConnection connection, bool completed)
    {
        if (completed && connection.State == ConnectionState.Open)
        {
            lock (_idle)
            {
                if (!_disposed && _idle.Count < MaxIdle)
                {
                    _idle.Push(connection);
                    return ValueTask.CompletedTask;
                }
            }
        }

        return connection.DisposeAsync();
    }

    /// <summary>Closes every idle connection; connections in use are closed when they come back.</summary>
    public void Dispose()
    {
        foreach (var connection in TakeIdle())
        {
            connection.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        foreach (var connection in TakeIdle())
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private SqliteConnection[] TakeIdle()
    {
        lock (_idle)
        {
            _disposed = true;
            SqliteConnection[] idle = [.. _idle];
            _idle.Clear();
            return idle;
        }
    }
}
