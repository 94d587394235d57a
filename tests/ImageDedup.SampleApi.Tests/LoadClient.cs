using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace ImageDedup.SampleApi.Tests;

public enum LoadOperation
{
    Upload,
    Read,
    Delete,
}

/// <summary>One request of a load run: what, when (since the start), how it ended (0: no response), how long it took.</summary>
public sealed record LoadSample(LoadOperation Operation, TimeSpan At, int Status, double Milliseconds);

/// <summary>
/// A bounded load on loopback: workers upload pictures from a small shared pool into a few
/// projects (so uploads keep meeting the same originals), read images back byte for byte and
/// delete them, for a fixed time. The bytes of every 200 read are compared with what was uploaded.
/// </summary>
public sealed class LoadClient(HttpClient http, IReadOnlyList<long> projects, IReadOnlyList<byte[]> pictures)
{
    private readonly ConcurrentBag<LoadSample> _samples = [];
    private int _mismatches;

    public LiveImages Live { get; } = new();

    /// <summary>Images whose delete got no clear answer (a 503, or no response): live or not, either is right.</summary>
    public ConcurrentBag<long> Uncertain { get; } = [];

    public int Mismatches => _mismatches;

    public async Task<LoadResult> RunAsync(int workers, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(new Random(1_000 + w), clock, duration))));
        return new LoadResult([.. _samples.OrderBy(s => s.At)], clock.Elapsed);
    }

    private async Task WorkAsync(Random random, Stopwatch clock, TimeSpan duration)
    {
        while (clock.Elapsed < duration)
        {
            var roll = random.Next(100);
            var operation = roll < 40 || Live.Count < 20 ? LoadOperation.Upload : roll < 80 ? LoadOperation.Read : LoadOperation.Delete;
            var started = clock.Elapsed;
            var status = operation switch
            {
                LoadOperation.Upload => await UploadAsync(random),
                LoadOperation.Read => await ReadAsync(random),
                _ => await DeleteAsync(random),
            };
            _samples.Add(new LoadSample(operation, started, status, (clock.Elapsed - started).TotalMilliseconds));
        }
    }

    private async Task<int> UploadAsync(Random random)
    {
        var picture = pictures[random.Next(pictures.Count)];
        var styles = new[] { "original", "thumbnail", "web" }.Take(1 + random.Next(3)).ToArray();
        return await SendAsync(async () =>
        {
            using var response = await http.PostImageAsync(projects[random.Next(projects.Count)], picture, random.Next(2) == 0, styles);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                foreach (var image in (await response.Content.ReadFromJsonAsync<UploadBody>())!.Images)
                {
                    Live.Add(image.Id, picture);
                }
            }

            return (int)response.StatusCode;
        });
    }

    private async Task<int> ReadAsync(Random random)
    {
        if (Live.Pick(random) is not { } image)
        {
            return -1;
        }

        return await SendAsync(async () =>
        {
            using var response = await http.GetAsync(string.Create(CultureInfo.InvariantCulture, $"/images/{image.Id}/content"));
            if (response.StatusCode == HttpStatusCode.OK && !(await response.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(image.Bytes))
            {
                Interlocked.Increment(ref _mismatches);
            }

            return (int)response.StatusCode;
        });
    }

    private async Task<int> DeleteAsync(Random random)
    {
        if (Live.Take(random) is not { } image)
        {
            return -1;
        }

        var status = await SendAsync(async () =>
        {
            using var response = await http.DeleteAsync(string.Create(CultureInfo.InvariantCulture, $"/images/{image.Id}"));
            return (int)response.StatusCode;
        });
        if (status != (int)HttpStatusCode.OK)
        {
            Uncertain.Add(image.Id);
        }

        return status;
    }

    private static async Task<int> SendAsync(Func<Task<int>> request)
    {
        try
        {
            return await request();
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}

/// <summary>A load run's figures: throughput, latency percentiles, and how many of each answer.</summary>
public sealed record LoadResult(IReadOnlyList<LoadSample> Samples, TimeSpan Duration)
{
    public IEnumerable<LoadSample> Requests => Samples.Where(s => s.Status >= 0);

    public double RequestsPerSecond => Requests.Count() / Duration.TotalSeconds;

    public double Percentile(double p)
    {
        var sorted = Requests.Select(s => s.Milliseconds).Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    /// <summary>How many requests of each operation ended with each status (0: no response).</summary>
    public IReadOnlyDictionary<(LoadOperation, int), int> Statuses
        => Requests.GroupBy(s => (s.Operation, s.Status)).ToDictionary(g => g.Key, g => g.Count());

    public string Describe()
        => string.Create(CultureInfo.InvariantCulture, $"{Requests.Count()} requests in {Duration.TotalSeconds:F1} s: {RequestsPerSecond:F0} requests/s, p50 {Percentile(0.5):F1} ms, p99 {Percentile(0.99):F1} ms; ")
            + string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key.Item1.ToString().ToLowerInvariant()} {s.Key.Item2}: {s.Value}")));
}
