using ImageDedup.Testing.Servers;

namespace ImageDedup.Postgres.Tests;

/// <summary>How the IMAGEDEDUP_TEST_* variables choose the images and networking of the container fallback.</summary>
public sealed class ContainerSettingsTests
{
    [Fact]
    public void Without_variables_the_public_images_run_behind_mapped_ports()
    {
        var settings = ContainerSettings.Parse(_ => null);

        Assert.Equal(ContainerSettings.DefaultPostgresImage, settings.PostgresImage);
        Assert.Equal(S3ContainerKind.Minio, settings.S3Kind);
        Assert.Equal(ContainerSettings.DefaultMinioImage, settings.S3Image);
        Assert.False(settings.HostNetwork);
        Assert.Null(settings.Run);
    }

    [Fact]
    public void The_script_s_variables_choose_local_images_host_networking_and_a_run_label()
    {
        var variables = new Dictionary<string, string>
        {
            [ContainerSettings.PostgresImageVariable] = "local/imagededup-postgres:15-abc",
            [ContainerSettings.S3rverImageVariable] = " local/imagededup-s3rver:def ",
            [ContainerSettings.NetworkVariable] = "HOST",
            [ContainerSettings.RunVariable] = "test-sh-1",
        };

        var settings = ContainerSettings.Parse(name => variables.GetValueOrDefault(name));

        Assert.Equal("local/imagededup-postgres:15-abc", settings.PostgresImage);
        Assert.Equal(S3ContainerKind.S3rver, settings.S3Kind);
        Assert.Equal("local/imagededup-s3rver:def", settings.S3Image);
        Assert.True(settings.HostNetwork);
        Assert.Equal("test-sh-1", settings.Run);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("bridge", false)]
    [InlineData("host", true)]
    public void The_network_is_host_or_bridge(string value, bool host)
        => Assert.Equal(host, ContainerSettings.Parse(name => name == ContainerSettings.NetworkVariable ? value : null).HostNetwork);

    [Theory]
    [InlineData("none")]
    [InlineData("hosts")]
    public void Another_network_fails_naming_the_variable(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => ContainerSettings.Parse(name => name == ContainerSettings.NetworkVariable ? value : null));

        Assert.Contains(ContainerSettings.NetworkVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_MinIO_image_is_used_only_when_no_s3rver_image_is_named()
    {
        var settings = ContainerSettings.Parse(name => name == ContainerSettings.MinioImageVariable ? "mirror.local/minio:1" : null);

        Assert.Equal(S3ContainerKind.Minio, settings.S3Kind);
        Assert.Equal("mirror.local/minio:1", settings.S3Image);
    }
}
