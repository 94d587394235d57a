namespace ImageDedup.Sqlite;

/// <summary>Settings of the SQLite reference store.</summary>
public sealed class SqliteReferenceStoreOptions
{
    /// <summary>
    /// The Microsoft.Data.Sqlite connection string, for example <c>Data Source=dedup.db</c>. Its
    /// <c>Default Timeout</c> (seconds, 30 unless set) is also how long a writer waits for the database
    /// lock held by another connection or process before it fails.
    /// </summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The prefix of every table and index the store creates; letters, digits and underscores only.
    /// Defaults to <c>imagededup_</c>.
    /// </summary>
    public string TablePrefix { get; set; } = "imagededup_";

    /// <summary>
    /// Whether the store creates or upgrades its schema on first use. Defaults to true; when false, call
    /// <see cref="Storage.IReferenceStore.MigrateAsync"/> or run the embedded install script yourself.
    /// </summary>
    public bool AutoMigrate { get; set; } = true;
}
