using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;

namespace ImageDedup.Testing.Servers;

/// <summary>
/// Readiness as a client on this machine sees it: the server answers on the address the tests will
/// use. Works for a mapped port and for host networking alike, where probes inside the container
/// (or of a mapped port) cannot tell.
/// </summary>
internal sealed class HostProbe(Func<IContainer, Task<bool>> answers) : IWaitUntil
{
    /// <inheritdoc/>
    public Task<bool> UntilAsync(IContainer container) => answers(container);
}
