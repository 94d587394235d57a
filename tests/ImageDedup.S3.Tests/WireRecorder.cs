using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;

namespace ImageDedup.S3.Tests;

/// <summary>What one request looked like on the wire.</summary>
internal sealed record WireRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, long? ContentLength)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public bool HasQuery(string name) => Uri.Query.TrimStart('?').Split('&').Any(p => p == name || p.StartsWith(name + "=", StringComparison.Ordinal));
}

/// <summary>
/// An SDK HTTP stack that records every request it sends, and can answer chosen requests itself
/// (a server error half-way through a multipart upload) instead of sending them.
/// </summary>
internal sealed class WireRecorder : HttpClientFactory
{
    public ConcurrentQueue<WireRequest> Requests { get; } = new();

    /// <summary>Returns a response to send instead of the request, or null to send it.</summary>
    public Func<WireRequest, HttpResponseMessage?> Intercept { get; set; } = _ => null;

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this)) { Timeout = Timeout.InfiniteTimeSpan };

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public IEnumerable<WireRequest> Where(HttpMethod method, string? query = null)
        => Requests.Where(r => r.Method == method && (query is null || r.HasQuery(query)));

    public static HttpResponseMessage Error(HttpStatusCode status, string code) => new(status)
    {
        Content = new StringContent($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>injected</Message></Error>", System.Text.Encoding.UTF8, "application/xml"),
    };

    private sealed class Handler(WireRecorder recorder) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in request.Headers)
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            if (request.Content is not null)
            {
                foreach (var header in request.Content.Headers)
                {
                    headers[header.Key] = string.Join(",", header.Value);
                }
            }

            var recorded = new WireRequest(request.Method, request.RequestUri!, headers, request.Content?.Headers.ContentLength);
            recorder.Requests.Enqueue(recorded);
            if (recorder.Intercept(recorded) is { } answer)
            {
                answer.RequestMessage = request;
                return answer;
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
