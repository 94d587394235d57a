using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Xunit;

namespace ImageDedup.Testing.Registration;

/// <summary>
/// How every provider's <c>AddXHealthCheck()</c> behaves, specified once, as the health-checks
/// libraries do it: it honours its name, tags, failure status and timeout; healthy against the real
/// server, the failure status (with the cause) against one that refuses, and the timeout against
/// one that accepts and never answers.
/// </summary>
public abstract class HealthCheckConformanceTests : IAsyncLifetime
{
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];

    /// <summary>A loopback endpoint that accepts connections and never sends a byte.</summary>
    protected IPEndPoint SilentEndpoint => (IPEndPoint)_silent.LocalEndpoint;

    /// <summary>A loopback port nothing listens on.</summary>
    protected int ClosedPort { get; private set; }

    /// <summary>Registers the provider against the real test server.</summary>
    protected abstract Task UseReachableAsync(IImageDedupBuilder builder);

    /// <summary>Registers the provider against <paramref name="port"/> on loopback.</summary>
    protected abstract void UseAt(IImageDedupBuilder builder, int port);

    /// <summary>Adds the provider's health check with every setting it takes.</summary>
    protected abstract IImageDedupBuilder AddHealthCheck(IImageDedupBuilder builder, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null);

    /// <summary>The name the check registers under by default.</summary>
    protected abstract string DefaultName { get; }

    public Task InitializeAsync()
    {
        _silent.Start();
        _ = AcceptForeverAsync();
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        ClosedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _silent.Stop();
        lock (_accepted)
        {
            _accepted.ForEach(s => s.Dispose());
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Healthy_against_the_server_under_its_default_name()
    {
        var services = Services();
        var builder = services.AddImageDedup();
        await UseReachableAsync(builder);
        AddHealthCheck(builder);

        var entry = await CheckAsync(services, DefaultName);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
    }

    [Fact]
    public async Task Name_tags_and_timeout_are_registered_as_given()
    {
        var services = Services();
        var builder = services.AddImageDedup();
        UseAt(builder, ClosedPort);
        AddHealthCheck(builder, "custom", HealthStatus.Degraded, ["ready", "storage"], TimeSpan.FromSeconds(7));
        await using var provider = services.BuildServiceProvider();

        var registration = Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);

        Assert.Equal("custom", registration.Name);
        Assert.Equal(["ready", "storage"], registration.Tags.Order());
        Assert.Equal(HealthStatus.Degraded, registration.FailureStatus);
        Assert.Equal(TimeSpan.FromSeconds(7), registration.Timeout);
    }

    [Fact]
    public async Task A_refusing_server_reports_the_failure_status_and_the_cause()
    {
        var services = Services();
        var builder = services.AddImageDedup();
        UseAt(builder, ClosedPort);
        AddHealthCheck(builder, "refused", HealthStatus.Degraded, timeout: TimeSpan.FromSeconds(30));

        var entry = await CheckAsync(services, "refused");

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.NotNull(entry.Exception);
        Assert.False(string.IsNullOrWhiteSpace(entry.Description));
    }

    [Fact]
    public async Task A_server_that_never_answers_is_cut_off_by_the_timeout()
    {
        var services = Services();
        var builder = services.AddImageDedup();
        UseAt(builder, SilentEndpoint.Port);
        AddHealthCheck(builder, "silent", timeout: TimeSpan.FromSeconds(1));

        var entry = await CheckAsync(services, "silent");

        // The framework's own verdict when a registration's timeout cancels the check.
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("timeout", entry.Description, StringComparison.OrdinalIgnoreCase);
    }

    private static ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        return services;
    }

    private static async Task<HealthReportEntry> CheckAsync(ServiceCollection services, string name)
    {
        await using var provider = services.BuildServiceProvider();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[name];
    }

    private async Task AcceptForeverAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _silent.AcceptSocketAsync();
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The listener stopped.
        }
    }
}
