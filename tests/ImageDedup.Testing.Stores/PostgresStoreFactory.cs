using System.Reflection;
using ImageDedup.Postgres;
using ImageDedup.Storage;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Testing.Stores;

/// <summary>
/// PostgreSQL reference stores on one test database (the class's <see cref="PostgresDatabase"/>
/// fixture), each in a fresh schema and all on the database's one pool, as a host that registers
/// its own data source runs them.
/// </summary>
public sealed class PostgresStoreFactory(PostgresDatabase database) : StoreFactory<IReferenceStore>, IStoreFactory<IReferenceStore>
{
    /// <inheritdoc/>
    public static Assembly Provider => typeof(PostgresReferenceStoreOptions).Assembly;

    /// <inheritdoc/>
    public override Task<IReferenceStore> CreateAsync()
        => MigratedAsync(Build(
            b => b.UsePostgres(o =>
            {
                o.UseRegisteredDataSource = true;
                o.Schema = PostgresDatabase.NewSchemaName();
            }),
            // Registered as an instance, so the service provider leaves the fixture's pool open.
            services => services.AddSingleton(database.DataSource)));
}
