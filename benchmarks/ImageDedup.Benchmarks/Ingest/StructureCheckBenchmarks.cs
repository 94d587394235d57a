using BenchmarkDotNet.Attributes;
using ImageDedup.Benchmarks.Content;
using ImageDedup.Hashing;
using ImageDedup.Ingest;
using ImageDedup.Ingest.Structure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageDedup.Benchmarks.Ingest;

/// <summary>
/// The ingest pass (<c>ContentScanner</c>: read, sniff, hash and — since issue 20 — walk the image
/// structure) against the library's hash alone over the same in-memory bytes. The pass over content
/// that is not an image (allowed as any content) has no structure to walk: it is the pass as it was
/// before the check, in the same run. The JPEG is the check's worst case (every byte of the scan is
/// looked at for a marker); the PNG's chunks are skipped by their lengths.
/// </summary>
[MemoryDiagnoser]
public class StructureCheckBenchmarks
{
    private readonly Sha256ContentHasher _hasher = new();
    private readonly ScanSettings _settings = new(long.MaxValue, AllowAnyContent: true, AllowTruncatedImages: false, 1 << 20, Path.GetTempPath(), null, null);
    private MemoryStream _png = null!;
    private MemoryStream _jpeg = null!;
    private MemoryStream _other = null!;

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkScope.IngestSizes;

    [GlobalSetup]
    public void Setup()
    {
        _png = new MemoryStream(ImageBytes.Create(Size), writable: false);
        _jpeg = new MemoryStream(JpegBytes.Create(Size), 0, Size, writable: false, publiclyVisible: true);
        var other = ImageBytes.Create(Size);
        "%PDF"u8.CopyTo(other);
        _other = new MemoryStream(other, writable: false);
    }

    [Benchmark(Baseline = true)]
    public async Task<ContentDigest> HashAlone()
    {
        _png.Position = 0;
        return await _hasher.HashAsync(_png);
    }

    [Benchmark]
    public Task<long> PassWithoutStructure() => ScanAsync(_other);

    [Benchmark]
    public Task<long> PassWithPngCheck() => ScanAsync(_png);

    [Benchmark]
    public Task<long> PassWithJpegCheck() => ScanAsync(_jpeg);

    /// <summary>The JPEG walker alone over the same bytes in 1 MiB chunks: the check's own cost, to set against <see cref="HashAlone"/>.</summary>
    [Benchmark]
    public bool WalkJpegAlone()
    {
        var bytes = _jpeg.GetBuffer().AsSpan(0, Size);
        var walker = StructureWalker.For(bytes)!;
        for (var at = 0; at < bytes.Length; at += 1 << 20)
        {
            walker.Append(bytes.Slice(at, Math.Min(1 << 20, bytes.Length - at)));
        }

        return walker.Finish().Outcome == StructureOutcome.Complete;
    }

    private async Task<long> ScanAsync(MemoryStream source)
    {
        source.Position = 0;
        var scanned = await ContentScanner.ScanAsync(source, _settings, _hasher, NullLogger.Instance, CancellationToken.None);
        await using (scanned)
        {
            return scanned.Length;
        }
    }
}
