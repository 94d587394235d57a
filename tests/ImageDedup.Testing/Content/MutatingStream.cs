namespace ImageDedup.Testing.Content;

/// <summary>
/// A seekable stream whose bytes change after they have been read to the end once: a host stream
/// that is modified between the hashing pass and the blob write.
/// </summary>
public sealed class MutatingStream(byte[] content) : MemoryStream(content, writable: false)
{
    private bool _mutated;

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var n = base.Read(buffer);
        if (n > 0 && _mutated)
        {
            buffer[0] ^= 0xFF;
        }

        if (n == 0 || Position == Length)
        {
            _mutated = true;
        }

        return n;
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Task.FromResult(Read(buffer.AsSpan(offset, count)));
}
