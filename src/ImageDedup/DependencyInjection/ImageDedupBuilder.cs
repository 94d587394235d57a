using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.DependencyInjection;

internal sealed class ImageDedupBuilder(IServiceCollection services) : IImageDedupBuilder
{
    public IServiceCollection Services { get; } = services;
}
