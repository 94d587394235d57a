using System.Reflection;

namespace ImageDedup.AspNetCore.Tests;

/// <summary>
/// A real scope whose ingest reads the whole upload, as the engine does to hash it, and then fails
/// with a chosen exception: how an ingest refusal the engine has no quick way to provoke (every
/// exception type there is, today's and tomorrow's) reaches the package. Every other call reaches the real scope.
/// </summary>
public class FaultingScope : DispatchProxy
{
    private IImageDedupScope _inner = null!;
    private Exception _fault = null!;

    public static IImageDedupScope Wrap(IImageDedupScope inner, Exception fault)
    {
        var proxy = Create<IImageDedupScope, FaultingScope>();
        var faulting = (FaultingScope)(object)proxy;
        faulting._inner = inner;
        faulting._fault = fault;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IImageDedupScope.IngestAsync) && args is [Stream content, _, CancellationToken token])
        {
            return ReadThenFailAsync(content, token);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }

    private async Task<IngestResult> ReadThenFailAsync(Stream content, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (await content.ReadAsync(buffer, cancellationToken) > 0)
        {
        }

        throw _fault;
    }
}
