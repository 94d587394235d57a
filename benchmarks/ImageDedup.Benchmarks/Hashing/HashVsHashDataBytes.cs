using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace ImageDedup.Benchmarks.Hashing;

/// <summary>
/// The library's streaming hasher against one-shot SHA-256 over a byte array that is already in
/// memory: the CPU limit, which no stream can beat.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class HashVsHashDataBytes : StreamHashingBenchmark
{
    [Benchmark(Baseline = true)]
    public byte[] HashDataBytes() => SHA256.HashData(Bytes);

    [Benchmark]
    public ValueTask<ContentDigest> HashAsync() => Hasher.HashAsync(Rewound());
}
