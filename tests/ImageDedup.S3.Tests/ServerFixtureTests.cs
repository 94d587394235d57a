using Amazon.S3.Model;
using ImageDedup.Testing.Servers;

namespace ImageDedup.S3.Tests;

/// <summary>Where the S3 tests get their server from: test.sh's s3rver, or a container of the configured image.</summary>
public sealed class ServerFixtureTests
{
    /// <summary>
    /// The server the other tests of this run use is the one the environment names: test.sh's, or
    /// (its container pass, IMAGEDEDUP_TEST_CONTAINERS=1) a container of the configured image, on
    /// the loopback port the fixture chose under host networking, with its bucket ready.
    /// </summary>
    [Fact]
    public async Task The_server_of_this_run_is_the_one_the_environment_names()
    {
        var server = await TestS3.ServerAsync();
        var url = Environment.GetEnvironmentVariable("IMAGEDEDUP_TEST_S3_URL");
        if (!string.IsNullOrWhiteSpace(url))
        {
            Assert.Null(server.ContainerImage);
            Assert.Equal(new Uri(url), server.ServiceUrl);
        }
        else
        {
            var settings = ContainerSettings.FromEnvironment();
            Assert.Equal(settings.S3Image, server.ContainerImage);
            Assert.Null(server.Directory);
            if (settings.HostNetwork)
            {
                Assert.Equal("127.0.0.1", server.ServiceUrl.Host);
            }
        }

        using var client = TestS3.Client(TestS3.Options(server, S3TestServer.NewPrefix("fixture")));
        var key = S3TestServer.NewPrefix("fixture") + "probe";
        await client.PutObjectAsync(new PutObjectRequest { BucketName = server.BucketName, Key = key, ContentBody = "probe", UseChunkEncoding = false });
        using var read = await client.GetObjectAsync(server.BucketName, key);
        using var reader = new StreamReader(read.ResponseStream);
        Assert.Equal("probe", await reader.ReadToEndAsync());
        await client.DeleteObjectAsync(server.BucketName, key);
    }
}
