using System.Globalization;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace ImageDedup.Testing.Servers;

/// <summary>The endpoint and credentials of a started S3 container.</summary>
internal sealed record S3ContainerEndpoint(Uri ServiceUrl, string AccessKey, string SecretKey);

/// <summary>
/// An S3-compatible server in a container: MinIO from the public image, or s3rver from the image
/// scripts/container-images.sh builds (Node.js plus the s3rver pinned in tools/s3rver).
/// </summary>
internal static class S3Container
{
    private const int MinioPort = 9000;
    private const int S3rverPort = 4568;
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(3) };

    /// <summary>Starts the server of <paramref name="settings"/>; with s3rver, <paramref name="bucket"/> exists from the start.</summary>
    /// <exception cref="InvalidOperationException">The container did not start or its server did not answer.</exception>
    public static async Task<S3ContainerEndpoint> StartAsync(ContainerSettings settings, string bucket)
    {
        var hostPort = settings.HostNetwork ? LoopbackPort.Free() : (int?)null;
        var port = hostPort?.ToString(CultureInfo.InvariantCulture);
        var builder = ServerContainers.Configure(new ContainerBuilder(settings.S3Image), settings);
        string accessKey, secretKey, readyPath;
        int containerPort;
        if (settings.S3Kind == S3ContainerKind.S3rver)
        {
            (accessKey, secretKey, readyPath, containerPort) = ("S3RVER", "S3RVER", "/" + bucket, S3rverPort);
            builder = builder.WithCommand(
                "--directory", "/data", "--address", hostPort is null ? "0.0.0.0" : "127.0.0.1", "--port", port ?? S3rverPort.ToString(CultureInfo.InvariantCulture),
                "--silent", "--no-vhost-buckets", "--configure-bucket", bucket);
        }
        else
        {
            (accessKey, secretKey, readyPath, containerPort) = ("imagededup", "imagededup-secret", "/minio/health/ready", MinioPort);
            builder = builder
                .WithEnvironment("MINIO_ROOT_USER", accessKey)
                .WithEnvironment("MINIO_ROOT_PASSWORD", secretKey);
            builder = hostPort is null
                ? builder.WithCommand("server", "/data")
                : builder.WithCommand("server", "/data", "--address", $"127.0.0.1:{port}", "--console-address", $"127.0.0.1:{LoopbackPort.Free()}");
        }

        if (hostPort is null)
        {
            builder = builder.WithPortBinding(containerPort, assignRandomHostPort: true);
        }

        Uri ServiceUrl(IContainer container) => hostPort is { } chosen
            ? new Uri($"http://127.0.0.1:{chosen}")
            : new Uri($"http://{container.Hostname}:{container.GetMappedPublicPort(containerPort)}");

        var started = await ServerContainers.StartAsync(builder, "S3", settings.S3Image, container => AnswersAsync(new Uri(ServiceUrl(container), readyPath))).ConfigureAwait(false);
        return new S3ContainerEndpoint(ServiceUrl(started), accessKey, secretKey);
    }

    private static async Task<bool> AnswersAsync(Uri probe)
    {
        try
        {
            using var response = await Probe.GetAsync(probe).ConfigureAwait(false);
            return (int)response.StatusCode < 500;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
