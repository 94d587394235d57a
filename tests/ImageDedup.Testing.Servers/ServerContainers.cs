using System.Collections.Concurrent;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;

namespace ImageDedup.Testing.Servers;

/// <summary>
/// What every server container of the fixtures shares: the run label, host networking when asked,
/// the resource reaper only when its image is there, readiness probed from this machine, removal
/// when the test process ends, and failures that say why.
/// </summary>
internal static class ServerContainers
{
    private const string ReaperRepository = "testcontainers/ryuk";
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromMinutes(2);
    private static readonly ConcurrentQueue<IContainer> Started = new();
    private static readonly SemaphoreSlim ReaperGate = new(1, 1);
    private static bool _reaperDecided;
    private static int _exitHooked;

    /// <summary>Applies the labels and networking of <paramref name="settings"/>.</summary>
    public static ContainerBuilder Configure(ContainerBuilder builder, ContainerSettings settings)
    {
        builder = builder.WithLabel("org.imagededup.test", "true");
        if (settings.Run is { } run)
        {
            builder = builder.WithLabel(ContainerSettings.RunLabel, run);
        }

        return settings.HostNetwork
            ? builder.WithCreateParameterModifier(parameters => (parameters.HostConfig ??= new HostConfig()).NetworkMode = "host")
            : builder;
    }

    /// <summary>Starts the container and waits until <paramref name="answers"/> says the server answers.</summary>
    /// <exception cref="InvalidOperationException">No engine answers, or the container did not start or become ready (with its log).</exception>
    public static async Task<IContainer> StartAsync(ContainerBuilder builder, string server, string image, Func<IContainer, Task<bool>> answers)
    {
        if (!DockerEngine.IsReachable())
        {
            throw new InvalidOperationException(DockerEngine.Missing(server));
        }

        await DecideReaperAsync().ConfigureAwait(false);
        IContainer container;
        try
        {
            container = builder
                .WithWaitStrategy(Wait.ForUnixContainer().AddCustomWaitStrategy(new HostProbe(answers), wait => wait.WithTimeout(ReadinessTimeout)))
                .Build();
        }
        catch (Exception ex) when (ex is DockerUnavailableException or ArgumentException)
        {
            throw new InvalidOperationException($"The {server} container of {image} cannot be configured: {ex.Message}", ex);
        }

        RemoveAtExit(container);
        try
        {
            await container.StartAsync().ConfigureAwait(false);
            return container;
        }
        catch (Exception ex)
        {
            // A container that exited is reported with its output already; one that hangs is not.
            var log = ex is ContainerNotRunningException ? string.Empty : await LogTailAsync(container).ConfigureAwait(false);
            await container.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(
                $"The {server} container of {image} did not start or did not answer (waited up to {ReadinessTimeout.TotalSeconds:0} s): {ex.Message}{log}",
                ex);
        }
    }

    /// <summary>
    /// Testcontainers' resource reaper (Ryuk) runs from an image of its own, which a machine without
    /// a registry does not have: unless TESTCONTAINERS_RYUK_DISABLED decides, the reaper is off when
    /// its image is not in the engine, and the fixtures remove their containers at exit themselves.
    /// </summary>
    private static async Task DecideReaperAsync()
    {
        await ReaperGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_reaperDecided)
            {
                return;
            }

            _reaperDecided = true;
            if (!TestcontainersSettings.ResourceReaperEnabled
                || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED"))
                || TestcontainersSettings.OS.DockerEndpointAuthConfig is not { } endpoint)
            {
                return;
            }

            var repository = Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_CONTAINER_IMAGE") is { Length: > 0 } custom
                ? custom.Split('@')[0].Split(':')[0]
                : ReaperRepository;
            using var client = endpoint.GetDockerClientBuilder(Guid.NewGuid()).Build();
            var images = await client.Images.ListImagesAsync(new ImagesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { [repository] = true } },
            }).ConfigureAwait(false);
            if (images.Count == 0)
            {
                TestcontainersSettings.ResourceReaperEnabled = false;
                Console.Error.WriteLine($"ImageDedup.Testing.Servers: the resource reaper's image ({repository}) is not in the Docker engine; the reaper is off and the fixtures remove their containers when the test process ends.");
            }
        }
        finally
        {
            ReaperGate.Release();
        }
    }

    private static void RemoveAtExit(IContainer container)
    {
        Started.Enqueue(container);
        if (Interlocked.Exchange(ref _exitHooked, 1) == 0)
        {
            // xunit 2 has no assembly-wide teardown: the servers live as long as the test process.
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                Task.WaitAll(Started.Select(started => started.DisposeAsync().AsTask()).ToArray(), TimeSpan.FromSeconds(30));
        }
    }

    private static async Task<string> LogTailAsync(IContainer container)
    {
        try
        {
            var (stdout, stderr) = await container.GetLogsAsync().ConfigureAwait(false);
            var lines = (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return lines.Length == 0 ? " (the container logged nothing)" : " Its log ends:" + Environment.NewLine + string.Join(Environment.NewLine, lines[^Math.Min(lines.Length, 20)..]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or Docker.DotNet.DockerApiException)
        {
            return $" (its log could not be read: {ex.Message})";
        }
    }
}
