using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite.Tests;

/// <summary>
/// Which indexes of <c>originals</c> each of the store's UPDATE statements writes, read from SQLite's
/// own program for it (<c>EXPLAIN</c>: the indexes it inserts entries into or deletes them from).
/// </summary>
/// <remarks>
/// SQLite rewrites the entry of every index whose key or WHERE clause names a column the statement
/// assigns, whether or not the value changes. The reference-count decrement once assigned
/// <c>state = CASE ... ELSE state END</c>, so every released reference rewrote a random leaf of the
/// live-digest index: at 10⁶ originals a prefix release wrote 1.6× the pages it needed, and
/// <c>benchmarks/scale.sh</c> measured it 1.4–1.7× slower than at 10⁴. This test holds every
/// statement, present and future, to the rule that closes that class: an UPDATE writes none of the
/// indexes keyed by an original's identity or content, except the live-digest index when the
/// statement moves an original into or out of the live state.
/// </remarks>
public sealed partial class IndexWriteTests : IDisposable
{
    private const string Prefix = "imagededup_";

    /// <summary>The UPDATEs that change an original's state, so must write the live-digest index.</summary>
    private static readonly HashSet<string> StateChanges = new(StringComparer.Ordinal)
    {
        "SqliteStatements.MakeLive",
        "SqliteStatements.ClaimPending",
        "SqliteStatements.ClaimReleased",
        "SqliteStatements.ClaimOrphans",
        "SqliteBatchStatements.MakeLiveIfFirst",
        "SqliteBatchStatements.MakeLiveWithReference",
        "SqliteBatchStatements.ClaimPendingMany",
        "SqliteTakedownStatements.ClaimLive",
        "SqliteTakedownStatements.ClaimDigest",
    };

    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    public static TheoryData<string> Updates()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in Statements())
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Every_state_change_listed_here_is_an_update_of_the_store()
    {
        var names = Statements().Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(StateChanges, name => Assert.Contains(name, names));
    }

    [Theory]
    [MemberData(nameof(Updates))]
    public async Task An_update_writes_only_the_identity_or_content_indexes_its_state_change_needs(string name)
    {
        await using (var store = _database.CreateStore(Prefix))
        {
            await store.MigrateAsync();
        }

        var sql = Statements().Single(s => s.Name == name).Sql;
        await using var connection = await _database.OpenAsync();
        var written = await IndexesWrittenAsync(connection, sql);

        // Keyed by what an original is (id, storage key, digest, scope): none of them changes after
        // insert, so an UPDATE that writes one of them pays a random page per row for nothing.
        var identity = new[] { "sqlite_autoindex_imagededup_originals_1", "sqlite_autoindex_imagededup_originals_2", "imagededup_originals_digest", "imagededup_originals_scope" };
        Assert.Empty(written.Intersect(identity));

        var changesState = StateChanges.Contains(name);
        Assert.True(
            written.Contains("imagededup_originals_live_digest") == changesState,
            changesState
                ? $"{name} is listed as changing an original's state but does not write the live-digest index."
                : $"{name} writes the live-digest index: assign state only in a statement that changes it (and list it in {nameof(StateChanges)}), never 'state = CASE ... ELSE state END'.");
    }

    /// <summary>Every UPDATE of <c>originals</c> among the store's statements, by class and property name.</summary>
    private static IEnumerable<(string Name, string Sql)> Statements()
    {
        var sql = new SqliteStatements(Prefix);
        object[] owners = [sql, new SqliteBatchStatements(sql), sql.Takedown];
        foreach (var owner in owners)
        {
            foreach (var property in owner.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string)))
            {
                var text = (string)property.GetValue(owner)!;
                if (text.TrimStart().StartsWith($"UPDATE \"{Prefix}originals\"", StringComparison.Ordinal))
                {
                    yield return ($"{owner.GetType().Name}.{property.Name}", text);
                }
            }
        }
    }

    /// <summary>The names of the indexes SQLite's program for <paramref name="sql"/> may write an entry into or delete one from.</summary>
    private static async Task<HashSet<string>> IndexesWrittenAsync(SqliteConnection connection, string sql)
    {
        var roots = new Dictionary<long, string>();
        await using (var schema = connection.CreateCommand())
        {
            schema.CommandText = "SELECT rootpage, name FROM sqlite_schema WHERE type = 'index'";
            await using var reader = await schema.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                roots[reader.GetInt64(0)] = reader.GetString(1);
            }
        }

        var written = new HashSet<string>(StringComparer.Ordinal);
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN " + sql;
        foreach (var parameter in Parameter().Matches(sql).Select(m => m.Value).Distinct(StringComparer.Ordinal))
        {
            explain.Parameters.AddWithValue(parameter, DBNull.Value);
        }

        // Columns: addr, opcode, p1, p2, ... A cursor is opened on a root page (p1 the cursor, p2 the
        // page); an index entry is written or deleted through a cursor (p1). Opening an index for
        // writing is not enough: an UPDATE opens the index it searches by that way too.
        var cursors = new Dictionary<long, string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var opcode = reader.GetString(1);
                if (opcode is "OpenWrite" or "OpenRead" && roots.TryGetValue(reader.GetInt64(3), out var opened))
                {
                    cursors[reader.GetInt64(2)] = opened;
                }
                else if (opcode is "IdxInsert" or "IdxDelete" && cursors.TryGetValue(reader.GetInt64(2), out var index))
                {
                    written.Add(index);
                }
            }
        }

        Assert.NotEmpty(roots);
        return written;
    }

    [GeneratedRegex(@"@\w+")]
    private static partial Regex Parameter();
}
