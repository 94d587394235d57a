using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace ImageDedup.Benchmarks.Hashing;

/// <summary>
/// The library's streaming hasher against the BCL's own stream hashing on the same kind of stream:
/// what a host would write without the library.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class HashVsStreamHashData : StreamHashingBenchmark
{
    [Benchmark(Baseline = true)]
    public byte[] HashDataStream() => SHA256.HashData(Rewound());

    [Benchmark]
    public ValueTask<ContentDigest> HashAsync() => Hasher.HashAsync(Rewound());
}
