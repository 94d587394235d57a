using Amazon.S3;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageDedup.S3.Tests;

/// <summary>UseS3: one store that also signs URLs, the host's IAmazonS3 when registered, the last Use wins, options checked at start.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void UseS3_registers_a_singleton_store_that_signs_urls_only_through_the_engine()
    {
        using var provider = Build(services => new Builder(services).UseS3(Valid));

        provider.GetRequiredService<IStartupValidator>().Validate();
        var store = Assert.IsType<S3BlobStore>(provider.GetRequiredService<IBlobStore>());
        Assert.Same(store, provider.GetRequiredService<IBlobStore>());
        Assert.Equal("originals", store.BucketName);
        Assert.Equal("tenant-a/", store.KeyPrefix);
        Assert.IsAssignableFrom<IBlobUrlSigner>(store);
        Assert.Null(provider.GetService<IBlobUrlSigner>());
    }

    [Fact]
    public void A_host_registered_IAmazonS3_is_used_and_not_disposed_by_the_store()
    {
        using var hostClient = new AmazonS3Client("key", "secret", new AmazonS3Config { ServiceURL = "http://127.0.0.1:1", ForcePathStyle = true });
        using (var provider = Build(services =>
        {
            services.AddSingleton<IAmazonS3>(hostClient);
            new Builder(services).UseS3(Valid);
        }))
        {
            Assert.Same(hostClient, provider.GetRequiredService<S3ClientSource>().Client);
            provider.GetRequiredService<IBlobStore>();
        }

        Assert.Equal("http://127.0.0.1:1/", hostClient.Config.ServiceURL);
    }

    [Fact]
    public void The_last_Use_wins_and_the_validator_is_registered_once()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IBlobStore>(_ => throw new InvalidOperationException("replaced"));

        new Builder(services).UseS3(Valid).UseS3(o => o.BucketName = "second");

        Assert.Single(services, d => d.ServiceType == typeof(IBlobStore));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IBlobUrlSigner));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<S3BlobStoreOptions>));
        using var provider = services.BuildServiceProvider();
        Assert.Equal("second", Assert.IsType<S3BlobStore>(provider.GetRequiredService<IBlobStore>()).BucketName);
    }

    [Theory]
    [InlineData("BucketName")]
    [InlineData("KeyPrefix")]
    [InlineData("ServiceUrl")]
    [InlineData("AccessKey")]
    [InlineData("MultipartThreshold")]
    [InlineData("PartSize")]
    [InlineData("PresignedUrlLifetime")]
    [InlineData("MaxErrorRetry")]
    public void Unusable_options_fail_at_start_naming_the_option(string option)
    {
        using var provider = Build(services => new Builder(services).UseS3(o =>
        {
            Valid(o);
            switch (option)
            {
                case "BucketName": o.BucketName = " "; break;
                case "KeyPrefix": o.KeyPrefix = "/leading"; break;
                case "ServiceUrl": o.ServiceUrl = new Uri("ftp://example.invalid"); break;
                case "AccessKey": o.SecretKey = null; break;
                case "MultipartThreshold": o.MultipartThreshold = 1024 * 1024; break;
                case "PartSize": o.PartSize = 2L * 1024 * 1024 * 1024; break;
                case "PresignedUrlLifetime": o.PresignedUrlLifetime = TimeSpan.FromDays(8); break;
                case "MaxErrorRetry": o.MaxErrorRetry = -1; break;
            }
        }));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("my.bucket-1", true)]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123", true)]
    [InlineData("ab", false)]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", false)]
    [InlineData("Originals", false)]
    [InlineData("under_score", false)]
    [InlineData("-start", false)]
    [InlineData("end-", false)]
    [InlineData("a..b", false)]
    public void Bucket_names_follow_the_S3_rules(string name, bool valid)
    {
        var problems = S3BlobStoreOptionsValidator.Check(new S3BlobStoreOptions { BucketName = name });

        Assert.Equal(valid, !problems.Any(p => p.Contains("BucketName", StringComparison.Ordinal)));
        if (!valid)
        {
            Assert.Contains(problems, p => p.Contains("3 to 63", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_client_config_follows_the_options()
    {
        var options = new S3BlobStoreOptions
        {
            BucketName = "b",
            ServiceUrl = new Uri("http://127.0.0.1:9000"),
            ForcePathStyle = true,
            RetryMode = Amazon.Runtime.RequestRetryMode.Adaptive,
            MaxErrorRetry = 7,
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
            RequestTimeout = TimeSpan.FromSeconds(30),
        };

        var config = S3ClientConfigs.Create(options);

        Assert.True(config.ForcePathStyle);
        Assert.Equal(Amazon.Runtime.RequestRetryMode.Adaptive, config.RetryMode);
        Assert.Equal(7, config.MaxErrorRetry);
        Assert.Equal(Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED, config.RequestChecksumCalculation);
        Assert.Equal(Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED, config.ResponseChecksumValidation);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Timeout);
        Assert.Equal("us-east-1", config.AuthenticationRegion);
    }

    private static void Valid(S3BlobStoreOptions o)
    {
        o.BucketName = "originals";
        o.KeyPrefix = "tenant-a";
        o.ServiceUrl = new Uri("http://127.0.0.1:9000");
        o.ForcePathStyle = true;
        o.AccessKey = "key";
        o.SecretKey = "secret";
    }

    private sealed class Builder(IServiceCollection services) : IImageDedupBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    private static ServiceProvider Build(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        register(services);
        return services.BuildServiceProvider();
    }
}
