using ImageDedup.Testing.Servers;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>
/// Forced interleavings: sessions named by <c>Application Name</c>, and a poll of
/// <c>pg_stat_activity</c> until one of them waits on a lock, so a test takes its next step only
/// once the work it started is known to be blocked where the test means it to be.
/// </summary>
internal static class LockWaits
{
    /// <summary>A data source of at most two connections whose sessions carry <paramref name="applicationName"/>.</summary>
    public static NpgsqlDataSource Named(PostgresDatabase database, string applicationName)
        => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = applicationName, MaxPoolSize = 2 }.ConnectionString);

    /// <summary>
    /// Polls until the session of <paramref name="applicationName"/> waits on a lock (of the kind
    /// <paramref name="waitEvent"/> names — <c>advisory</c>, <c>transactionid</c>, … — when given); fails
    /// the test when <paramref name="work"/> finishes first, with its exception if it threw.
    /// </summary>
    public static async Task UntilWaitingAsync(PostgresDatabase database, string applicationName, Task work, string? waitEvent = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (work.IsCompleted)
            {
                await work; // surfaces its exception
                Assert.Fail($"{applicationName} finished instead of waiting on a lock");
            }

            await using var command = database.DataSource.CreateCommand(
                "SELECT wait_event FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND wait_event_type = 'Lock'");
            command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
            var wait = (string?)await command.ExecuteScalarAsync(timeout.Token);
            if (wait is not null && (waitEvent is null || wait == waitEvent))
            {
                return;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>
    /// A data source whose sessions never lose a deadlock they close: PostgreSQL makes the victim of
    /// whichever waiter's check, run <c>deadlock_timeout</c> after it began waiting, finds the cycle
    /// first, and these sessions check only after a minute. The store's session, which began waiting
    /// first with the default second, is then always the victim; with both at a second, a loaded
    /// machine once ran the test session's check first and the test's own statement died instead.
    /// </summary>
    public static NpgsqlDataSource Survivors(PostgresDatabase database)
        => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            ApplicationName = "imagededup-deadlock-survivor",
            MaxPoolSize = 2,
            Options = "-c deadlock_timeout=60s",
        }.ConnectionString);

    /// <summary>Runs one statement on <paramref name="connection"/> (inside whatever transaction it has open).</summary>
    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
