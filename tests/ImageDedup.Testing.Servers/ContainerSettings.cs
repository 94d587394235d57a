namespace ImageDedup.Testing.Servers;

/// <summary>Which S3-compatible server the container fallback runs.</summary>
public enum S3ContainerKind
{
    /// <summary>MinIO (<see cref="ContainerSettings.DefaultMinioImage"/> unless <see cref="ContainerSettings.MinioImageVariable"/> names another).</summary>
    Minio,

    /// <summary>s3rver, from the image <see cref="ContainerSettings.S3rverImageVariable"/> names (scripts/container-images.sh builds one).</summary>
    S3rver,
}

/// <summary>
/// How the fixtures run their servers in containers, read from <c>IMAGEDEDUP_TEST_*</c> variables.
/// Without any, they run the public images with port mappings, as on a machine with a registry;
/// <c>scripts/container-images.sh</c> sets them to locally built images and host networking.
/// </summary>
public sealed record ContainerSettings
{
    /// <summary>The PostgreSQL image; it must keep the official image's contract (POSTGRES_PASSWORD, a <c>postgres</c> command line).</summary>
    public const string PostgresImageVariable = "IMAGEDEDUP_TEST_POSTGRES_IMAGE";

    /// <summary>An s3rver image; when set, the S3 container is s3rver instead of MinIO.</summary>
    public const string S3rverImageVariable = "IMAGEDEDUP_TEST_S3RVER_IMAGE";

    /// <summary>The MinIO image, when no s3rver image is named.</summary>
    public const string MinioImageVariable = "IMAGEDEDUP_TEST_MINIO_IMAGE";

    /// <summary><c>host</c>: containers share the host's network and listen on a loopback port the fixture chose; <c>bridge</c> (the default): a mapped port.</summary>
    public const string NetworkVariable = "IMAGEDEDUP_TEST_CONTAINER_NETWORK";

    /// <summary>A value put on every container as the label <see cref="RunLabel"/>, so a script can remove what a crashed run left.</summary>
    public const string RunVariable = "IMAGEDEDUP_TEST_CONTAINER_RUN";

    /// <summary>The label that carries <see cref="RunVariable"/>.</summary>
    public const string RunLabel = "org.imagededup.test-run";

    /// <summary>The public PostgreSQL image, pinned to the major version the stores support.</summary>
    public const string DefaultPostgresImage = "postgres:15-alpine";

    /// <summary>The public MinIO image; pinned so runs are repeatable.</summary>
    public const string DefaultMinioImage = "minio/minio:RELEASE.2025-04-22T22-12-26Z";

    /// <summary>The PostgreSQL image to run.</summary>
    public required string PostgresImage { get; init; }

    /// <summary>Which S3-compatible server to run.</summary>
    public required S3ContainerKind S3Kind { get; init; }

    /// <summary>The image of <see cref="S3Kind"/>.</summary>
    public required string S3Image { get; init; }

    /// <summary>Whether containers use the host's network (loopback ports chosen by the fixture) rather than a port mapping.</summary>
    public bool HostNetwork { get; init; }

    /// <summary>The value of <see cref="RunLabel"/> on every container, or null for none.</summary>
    public string? Run { get; init; }

    /// <summary>The settings of this process's environment.</summary>
    /// <exception cref="ArgumentException">A variable has a value the fixtures do not understand.</exception>
    public static ContainerSettings FromEnvironment() => Parse(Environment.GetEnvironmentVariable);

    /// <summary>The settings that <paramref name="variable"/> (a variable lookup) describes.</summary>
    /// <exception cref="ArgumentException">A variable has a value the fixtures do not understand.</exception>
    public static ContainerSettings Parse(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        string? Value(string name) => variable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var network = Value(NetworkVariable);
        var hostNetwork = network switch
        {
            null => false,
            _ when string.Equals(network, "bridge", StringComparison.OrdinalIgnoreCase) => false,
            _ when string.Equals(network, "host", StringComparison.OrdinalIgnoreCase) => true,
            _ => throw new ArgumentException($"{NetworkVariable} is '{network}'; it must be 'host' or 'bridge' (the default).", nameof(variable)),
        };

        var s3rver = Value(S3rverImageVariable);
        return new ContainerSettings
        {
            PostgresImage = Value(PostgresImageVariable) ?? DefaultPostgresImage,
            S3Kind = s3rver is null ? S3ContainerKind.Minio : S3ContainerKind.S3rver,
            S3Image = s3rver ?? Value(MinioImageVariable) ?? DefaultMinioImage,
            HostNetwork = hostNetwork,
            Run = Value(RunVariable),
        };
    }
}
