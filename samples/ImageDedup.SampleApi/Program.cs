// The seed's app on ImageDedup: projects own images; one upload becomes N styled image rows over one
// original; deleting an image or a project releases the shared original; deleted rows are kept for
// billing; `backfill` moves images stored the old way onto originals; operators purge and block
// pictures through /admin (with Admin:Token).
//   dotnet run                      the web app on 127.0.0.1:5080 (Port), with its page at /
//   dotnet run -- backfill [--batch-size N] [--max-rows-per-second R]
using System.Net;
using Amazon.S3;
using ImageDedup.SampleApi.Admin;
using ImageDedup.SampleApi.Backfill;
using ImageDedup.SampleApi.Data;
using ImageDedup.SampleApi.Hosting;
using ImageDedup.SampleApi.Images;
using ImageDedup.SampleApi.Projects;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Npgsql;

var backfill = args is [BackfillCommand.Name, ..];
var builder = WebApplication.CreateBuilder(backfill ? args[1..] : args);
var configuration = builder.Configuration;
var connectionString = configuration.GetConnectionString("Postgres")
    ?? throw new InvalidOperationException("Set ConnectionStrings:Postgres (env ConnectionStrings__Postgres).");
var s3 = configuration.GetSection("S3").Get<S3Settings>() is { Bucket.Length: > 0 } settings
    ? settings
    : throw new InvalidOperationException("Set S3:Bucket (env S3__Bucket), and S3:ServiceUrl for an S3-compatible server.");
var cleanupInterval = configuration.GetValue("Cleanup:Interval", TimeSpan.FromMinutes(1));
var adminToken = AdminToken.FromConfiguration(configuration);

if (backfill)
{
    // Its progress lines are the command's output; each stored original need not be logged too.
    builder.Logging.AddFilter("ImageDedup", LogLevel.Warning);
}

builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, configuration.GetValue("Port", 5080)));

// One connection pool: the app's tables (EF Core) and the catalogue (schema imagededup) share the
// database, so the reference store can join the DbContext's transactions.
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
builder.Services.AddDbContext<AppDb>((services, options) => options.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>()));
builder.Services.AddSingleton<IAmazonS3>(_ => S3Client.Create(s3));

builder.Services.AddImageDedup(options => configuration.GetSection("ImageDedup").Bind(options))
    .UsePostgres()                                                        // the registered NpgsqlDataSource
    .UseS3(options =>                                                     // the registered IAmazonS3
    {
        options.BucketName = s3.Bucket;
        options.KeyPrefix = s3.KeyPrefix;
    })
    .ValidateOnStart()                                                    // fail at start, not at the first upload
    .AddBackgroundCleanup(options => configuration.GetSection("Cleanup").Bind(options))
    .AddPostgresHealthCheck(timeout: TimeSpan.FromSeconds(5))
    .AddS3HealthCheck(timeout: TimeSpan.FromSeconds(5));

builder.Services.AddScoped<ImageUpload>();
builder.Services.AddScoped<ImageDeletion>();
builder.Services.AddScoped<ProjectDeletion>();
builder.Services.AddSingleton(new SweeperSchedule(cleanupInterval));
builder.Services.AddHostedService<ProjectReleaseSweeper>();
builder.Services.AddSingleton<LegacyObjects>();
builder.Services.AddScoped<LegacyIngest>();
builder.Services.AddScoped<LegacyBackfill>();
builder.Services.AddScoped<ImagePurge>();

// The admin endpoints: a shared token from configuration (Admin:Token), checked before a body is read.
builder.Services.AddSingleton(adminToken);
builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AdminTokenHandler>(AdminTokenHandler.SchemeName, null);
builder.Services.AddAuthorization(options => options.AddPolicy(AdminTokenHandler.Policy, policy => policy
    .AddAuthenticationSchemes(AdminTokenHandler.SchemeName)
    .RequireAuthenticatedUser()));

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<DatabaseUnavailable>();

var app = builder.Build();

// The app's schema, by EF Core migrations (the catalogue migrates its own schema on first use).
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<AppDb>().Database.MigrateAsync();
}

if (backfill)
{
    return await BackfillCommand.RunAsync(app.Services, args[1..], Console.Out, app.Lifetime.ApplicationStopping);
}

app.UseExceptionHandler();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
if (!adminToken.IsConfigured)
{
    app.Logger.LogWarning("Admin:Token is not set: the /admin endpoints refuse every request");
}

app.MapProjects();
app.MapImages();
app.MapStats();
app.MapAdmin();
app.MapImageDedupOriginals("/originals/{id}");
app.MapHealthChecks("/health", HealthResponse.Options);

await app.RunAsync();
return 0;
