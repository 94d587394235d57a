using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>
/// A statistics counter never makes a writer wait (Install.v9.sql): with more writers of one scope
/// in flight than version 4 had slots, the next one takes a slot of its own instead of queueing —
/// queueing there, after it had locked its rows, was a lock outside the store's order.
/// </summary>
public sealed class CounterSlotTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Scope = "tenant";
    private const int Holders = 16; // version 4's slots, each held by one open transaction below

    [Fact]
    public async Task A_writer_finds_a_free_counter_slot_while_sixteen_transactions_of_its_scope_are_open()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var originals = new List<Guid>();
        for (var i = 0; i <= Holders; i++)
        {
            originals.Add(await LiveAsync(store, seed: i + 1));
        }

        await using var hosts = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = Holders }.ConnectionString);
        var open = new List<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)>();
        try
        {
            // Each adds a reference to an original of its own (no row lock shared), so each holds a slot.
            for (var i = 0; i < Holders; i++)
            {
                var connection = await hosts.OpenConnectionAsync();
                var transaction = await connection.BeginTransactionAsync();
                open.Add((connection, transaction));
                await store.AddReferenceAsync(Scope, $"held/{i}", originals[i], claimIfOrphaned: false, transaction);
            }

            // Version 4 queued this one behind an open transaction until the timeout.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var change = await store.AddReferenceAsync(Scope, "free/0", originals[Holders], claimIfOrphaned: false, cancellationToken: timeout.Token);
            Assert.True(change.Added);

            foreach (var (_, transaction) in open)
            {
                await transaction.CommitAsync();
            }
        }
        finally
        {
            foreach (var (connection, transaction) in open)
            {
                await transaction.DisposeAsync();
                await connection.DisposeAsync();
            }
        }

        var statistics = await store.GetStatisticsAsync(Scope);
        Assert.Equal(Holders + 1, statistics.References);
        Assert.Equal(Holders + 1, statistics.UniqueOriginals);
        await using var slots = database.DataSource.CreateCommand($"SELECT max(slot) FROM {store.Sql.Schema}.scope_counters WHERE scope = $1");
        slots.Parameters.Add(new NpgsqlParameter { Value = Scope });
        Assert.True((short)(await slots.ExecuteScalarAsync())! >= Holders, "the 17th writer should have taken a slot past version 4's sixteen");
    }

    private static async Task<Guid> LiveAsync(PostgresReferenceStore store, int seed)
    {
        var id = Guid.NewGuid();
        var digest = TestImages.DigestOf(TestImages.Png(seed, 64));
        await store.InsertPendingAsync(new NewOriginal(id, Scope, digest, 64, "image/png", $"sha256/{digest.Hex}.{id:N}"));
        await store.PromoteAsync(id, holder: null, claimIfOrphaned: false);
        return id;
    }
}
