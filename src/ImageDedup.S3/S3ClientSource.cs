using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageDedup.S3;

/// <summary>
/// The SDK client the store uses: the host's <see cref="IAmazonS3"/> when it registered one (the
/// host owns it), else one built from <see cref="S3BlobStoreOptions"/> and disposed with the
/// container.
/// </summary>
internal sealed class S3ClientSource : IDisposable
{
    private readonly bool _owned;

    public S3ClientSource(IServiceProvider services, IOptions<S3BlobStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (services.GetService<IAmazonS3>() is { } shared)
        {
            Client = shared;
        }
        else
        {
            var settings = options.Value;
            Client = S3ClientConfigs.CreateClient(settings, S3ClientConfigs.Create(settings));
            _owned = true;
        }
    }

    public IAmazonS3 Client { get; }

    public void Dispose()
    {
        if (_owned)
        {
            Client.Dispose();
        }
    }
}
