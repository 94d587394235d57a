using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup;

/// <summary>
/// Returned by <c>AddImageDedup()</c>; provider packages add their <c>UseX()</c> extensions to it.
/// </summary>
public interface IImageDedupBuilder
{
    /// <summary>The service collection ImageDedup registers into.</summary>
    IServiceCollection Services { get; }
}
