using ImageDedup.Ingest.Structure;

namespace ImageDedup.Fuzz;

/// <summary>
/// What the fuzzer checks on every input: walking it must not throw, must give the same verdict
/// however the bytes are split into chunks (whole, and cut into pseudo-random pieces down to one
/// byte), and must allocate no more than a constant — never in proportion to a size the bytes declare.
/// </summary>
internal static class StructureTarget
{
    /// <summary>The most one walk may allocate: the walker, its field buffer, and a verdict message.</summary>
    public const long AllocationBound = 4 * 1024;

    /// <summary>Runs every check on <paramref name="input"/>; throws <see cref="InvalidOperationException"/> on a violation.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        var whole = Walk(input, splitSeed: 0);
        var split = Walk(input, splitSeed: (uint)input.Length | 1);
        var bytewise = Walk(input, splitSeed: uint.MaxValue);
        if (whole != split || whole != bytewise)
        {
            throw new InvalidOperationException($"The verdict depends on the chunking: whole {whole}, split {split}, one byte at a time {bytewise}.");
        }
    }

    /// <summary>
    /// Walks <paramref name="input"/> in chunks chosen by <paramref name="splitSeed"/> (0: one chunk;
    /// all ones: single bytes) and checks the allocation bound.
    /// </summary>
    public static StructureVerdict? Walk(ReadOnlySpan<byte> input, uint splitSeed)
    {
        var verdict = WalkMeasured(input, splitSeed, out var allocated);
        if (allocated > AllocationBound)
        {
            // The first message formatted in a process initialises culture data once: measure again.
            verdict = WalkMeasured(input, splitSeed, out allocated);
            if (allocated > AllocationBound)
            {
                throw new InvalidOperationException($"Walking {input.Length} bytes allocated {allocated} bytes, more than the bound of {AllocationBound}.");
            }
        }

        return verdict;
    }

    private static StructureVerdict? WalkMeasured(ReadOnlySpan<byte> input, uint splitSeed, out long allocated)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var walker = StructureWalker.For(input);
        if (walker is null)
        {
            allocated = 0;
            return null;
        }

        var state = splitSeed;
        var rest = input;
        while (!rest.IsEmpty)
        {
            var take = splitSeed switch
            {
                0 => rest.Length,
                uint.MaxValue => 1,
                _ => NextChunk(ref state),
            };
            take = Math.Min(take, rest.Length);
            walker.Append(rest[..take]);
            rest = rest[take..];
        }

        var verdict = walker.Finish();
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return verdict;
    }

    // xorshift32: chunk sizes from 1 byte to 4 KiB, mostly small, with no allocation.
    private static int NextChunk(ref uint state)
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return (state & 3) == 0 ? (int)(state >> 20) + 1 : (int)(state >> 28) + 1;
    }
}
