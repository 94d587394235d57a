using ImageDedup.Storage;
using ImageDedup.Testing.Registration;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ImageDedup.Postgres.Tests;

/// <summary>UsePostgres held to the shared registration rules.</summary>
public sealed class PostgresRegistrationConformanceTests : RegistrationConformanceTests, IDisposable
{
    private readonly string _blobs = Directory.CreateTempSubdirectory("imagededup-pg-registration-").FullName;

    protected override Type StoreContract => typeof(IReferenceStore);

    protected override string InvalidOptionName => "Schema";

    protected override void Use(IImageDedupBuilder builder) => builder.UsePostgres("Host=127.0.0.1;Port=1;Database=app;Username=app;Password=secret");

    protected override void UseInvalid(IImageDedupBuilder builder) => builder.UsePostgres(o =>
    {
        o.ConnectionString = "Host=127.0.0.1;Database=app";
        o.Schema = "bad$name";
    });

    protected override void CompleteWithOtherStore(IImageDedupBuilder builder) => builder.UseFileSystem(_blobs);

    public void Dispose() => Directory.Delete(_blobs, recursive: true);
}

/// <summary>AddPostgresHealthCheck held to the shared health-check rules.</summary>
public sealed class PostgresHealthCheckConformanceTests(PostgresDatabase database) : HealthCheckConformanceTests, IClassFixture<PostgresDatabase>
{
    protected override string DefaultName => "imagededup-postgres";

    protected override Task UseReachableAsync(IImageDedupBuilder builder)
    {
        builder.UsePostgres(database.ConnectionString);
        return Task.CompletedTask;
    }

    protected override void UseAt(IImageDedupBuilder builder, int port)
        => builder.UsePostgres($"Host=127.0.0.1;Port={port};Database=app;Username=app;Password=secret;Timeout=30;Pooling=false");

    protected override IImageDedupBuilder AddHealthCheck(IImageDedupBuilder builder, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
        => name is null
            ? builder.AddPostgresHealthCheck(failureStatus: failureStatus, tags: tags, timeout: timeout)
            : builder.AddPostgresHealthCheck(name, failureStatus, tags, timeout);
}
