namespace ImageDedup.Postgres;

/// <summary>Settings of the PostgreSQL reference store.</summary>
public sealed class PostgresReferenceStoreOptions
{
    /// <summary>
    /// The Npgsql connection string, for example
    /// <c>Host=db;Database=app;Username=app;Password=…</c>. Required unless
    /// <see cref="UseRegisteredDataSource"/> is set.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Use the <c>NpgsqlDataSource</c> registered in the service collection (for example by
    /// <c>AddNpgsqlDataSource</c>) instead of <see cref="ConnectionString"/>. The store then shares that
    /// data source's pool and never disposes it.
    /// </summary>
    public bool UseRegisteredDataSource { get; set; }

    /// <summary>
    /// The schema that holds the store's tables and functions; quoted everywhere, so any name of 1 to 63
    /// bytes without control characters or <c>$</c> works. Defaults to <c>imagededup</c>.
    /// </summary>
    public string Schema { get; set; } = "imagededup";

    /// <summary>
    /// Whether the store creates or upgrades its schema on first use. Defaults to true; when false, call
    /// <see cref="Storage.IReferenceStore.MigrateAsync"/> at deployment or run the install scripts yourself
    /// (see the package README).
    /// </summary>
    public bool AutoMigrate { get; set; } = true;
}
