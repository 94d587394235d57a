using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>
/// The seed's shape: the host's own <c>images</c> row and the reference to its original commit or roll
/// back together in one NpgsqlTransaction.
/// </summary>
public sealed class HostTransactionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private PostgresReferenceStore _store = null!;
    private Original _original = null!;
    private string _images = null!;

    public async Task InitializeAsync()
    {
        _store = await Stores.CreateMigratedAsync(database);
        _images = $"{_store.Sql.Schema}.images";
        await using (var create = database.DataSource.CreateCommand($"CREATE TABLE {_images} (id bigint PRIMARY KEY, original_image_id uuid NULL)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var digest = TestImages.DigestOf(TestImages.Png(1, 64));
        var id = Guid.NewGuid();
        await _store.InsertPendingAsync(new NewOriginal(id, "", digest, 64, "image/png", $"sha256/{digest.Hex}.{id:N}"));
        _original = (await _store.PromoteAsync(id, holder: null, claimIfOrphaned: false)).Original;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Commit_keeps_the_hosts_row_and_the_reference()
    {
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await InsertImageAsync(connection, transaction, 42);
            var change = await _store.AddReferenceAsync("", "images/42", _original.Id, claimIfOrphaned: true, transaction);
            Assert.True(change.Added);
            await transaction.CommitAsync();
        }

        Assert.True(await ImageExistsAsync(42));
        Assert.Equal(_original.Id, (await _store.FindByHolderAsync("", "images/42"))?.Id);
        Assert.Equal(1, (await _store.GetAsync(_original.Id))!.ReferenceCount);
    }

    [Fact]
    public async Task Rollback_leaves_neither_the_hosts_row_nor_the_reference()
    {
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await InsertImageAsync(connection, transaction, 43);
            await _store.AddReferenceAsync("", "images/43", _original.Id, claimIfOrphaned: true, transaction);
            await transaction.RollbackAsync();
        }

        Assert.False(await ImageExistsAsync(43));
        Assert.Null(await _store.FindByHolderAsync("", "images/43"));
        var row = await _store.GetAsync(_original.Id);
        Assert.Equal(0, row!.ReferenceCount);
        Assert.NotNull(row.OrphanedAt);
    }

    [Fact]
    public async Task A_release_inside_the_transaction_never_claims_and_a_rollback_restores_it()
    {
        await _store.AddReferenceAsync("", "images/44", _original.Id, claimIfOrphaned: false);

        await using (var connection = await database.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var delete = new NpgsqlCommand($"DELETE FROM {_images} WHERE id = 44", connection, transaction))
            {
                await delete.ExecuteNonQueryAsync();
            }

            var outcome = await _store.ReleaseAsync("", "images/44", claimIfOrphaned: true, transaction);
            Assert.False(outcome.DeletionClaimed);
            Assert.Equal(OriginalState.Live, outcome.Original!.State);
            Assert.Equal(0, outcome.Original.ReferenceCount);
            await transaction.RollbackAsync();
        }

        Assert.Equal(_original.Id, (await _store.FindByHolderAsync("", "images/44"))?.Id);
        var row = await _store.GetAsync(_original.Id);
        Assert.Equal(OriginalState.Live, row!.State);
        Assert.Equal(1, row.ReferenceCount);
    }

    [Fact]
    public async Task A_missing_original_leaves_the_host_transaction_usable()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await InsertImageAsync(connection, transaction, 45);

        await Assert.ThrowsAsync<OriginalNotFoundException>(() => _store.AddReferenceAsync("", "images/45", Guid.NewGuid(), claimIfOrphaned: false, transaction));
        await Assert.ThrowsAsync<OriginalNotFoundException>(() => _store.AddReferenceAsync("other-scope", "images/45", _original.Id, claimIfOrphaned: false, transaction));

        // No statement failed, so the transaction goes on and commits.
        await _store.AddReferenceAsync("", "images/45", _original.Id, claimIfOrphaned: false, transaction);
        await transaction.CommitAsync();
        Assert.True(await ImageExistsAsync(45));
        Assert.Equal(_original.Id, (await _store.FindByHolderAsync("", "images/45"))?.Id);
    }

    private async Task InsertImageAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id)
    {
        await using var insert = new NpgsqlCommand($"INSERT INTO {_images} (id, original_image_id) VALUES ($1, $2)", connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = id });
        insert.Parameters.Add(new NpgsqlParameter { Value = _original.Id });
        await insert.ExecuteNonQueryAsync();
    }

    private async Task<bool> ImageExistsAsync(long id)
    {
        await using var select = database.DataSource.CreateCommand($"SELECT count(*) FROM {_images} WHERE id = $1");
        select.Parameters.Add(new NpgsqlParameter { Value = id });
        return (long)(await select.ExecuteScalarAsync())! == 1;
    }
}
