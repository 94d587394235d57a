namespace ImageDedup.SampleApi.Tests;

/// <summary>The running web app: its process (output, kill) and an HttpClient on its loopback address.</summary>
public sealed class SampleApp(SampleProcess process, Uri address) : IAsyncDisposable
{
    public SampleProcess Process => process;

    public Uri Address => address;

    public HttpClient Http { get; } = new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await process.DisposeAsync();
    }
}
