using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ImageDedup.S3.Tests;

/// <summary>One HTTP request as the proxy saw its head.</summary>
internal sealed record ProxiedRequest(int Number, string Method, string Target, long ContentLength);

/// <summary>What the proxy does to one request.</summary>
internal abstract record ProxyFault
{
    public static readonly ProxyFault None = new Pass();

    /// <summary>Forward untouched.</summary>
    public sealed record Pass : ProxyFault;

    /// <summary>Answer <c>503 SlowDown</c> without forwarding, and close the connection.</summary>
    public sealed record SlowDown : ProxyFault;

    /// <summary>Forward the head and this many body bytes, then drop both connections.</summary>
    public sealed record DropAfter(long BodyBytes) : ProxyFault;

    /// <summary>Hold the request this long before forwarding it (dropped if the client gave up meanwhile).</summary>
    public sealed record Delay(TimeSpan Time) : ProxyFault;
}

/// <summary>
/// A loopback TCP proxy in front of the S3 server that understands just enough HTTP/1.1 (request
/// heads and Content-Length bodies) to fault chosen requests: answer 503, drop the connection
/// half-way through a body, or delay. The server itself is never stopped, so other tests that
/// share it are unaffected.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;

    public FaultProxy(Uri upstream)
    {
        _upstream = upstream;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    /// <summary>The proxy's address, to use as the store's service URL.</summary>
    public Uri Url { get; }

    /// <summary>Chooses the fault for each request; everything passes by default.</summary>
    public Func<ProxiedRequest, ProxyFault> Faults { get; set; } = _ => ProxyFault.None;

    /// <summary>Every request seen, with what was done to it.</summary>
    public ConcurrentQueue<(ProxiedRequest Request, ProxyFault Fault)> Seen { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
            var fromClient = new BufferedReader(client.GetStream());
            var toServer = upstream.GetStream();
            var back = upstream.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
            while (await fromClient.ReadHeadAsync(_stop.Token) is { } head)
            {
                var request = Parse(head, Interlocked.Increment(ref _requests));
                var fault = Faults(request);
                Seen.Enqueue((request, fault));
                switch (fault)
                {
                    case ProxyFault.SlowDown:
                        await RespondSlowDownAsync(client.GetStream());
                        return;
                    case ProxyFault.DropAfter drop:
                        await toServer.WriteAsync(head, _stop.Token);
                        await fromClient.ForwardAsync(toServer, Math.Min(drop.BodyBytes, request.ContentLength), _stop.Token);
                        await toServer.FlushAsync(_stop.Token);
                        Reset(client);
                        Reset(upstream);
                        return;
                    case ProxyFault.Delay delay:
                        await Task.Delay(delay.Time, _stop.Token);
                        if (IsClosed(client))
                        {
                            return;
                        }

                        goto default;
                    default:
                        await toServer.WriteAsync(head, _stop.Token);
                        await fromClient.ForwardAsync(toServer, request.ContentLength, _stop.Token);
                        break;
                }
            }

            upstream.Client.Shutdown(SocketShutdown.Send);
            await back;
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A dropped connection on either side ends this one.
        }
    }

    private static ProxiedRequest Parse(byte[] head, int number)
    {
        var lines = Encoding.ASCII.GetString(head).Split("\r\n");
        var start = lines[0].Split(' ');
        var length = 0L;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = long.Parse(line[(colon + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
            else if (colon > 0 && line[..colon].Trim().Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                throw new NotSupportedException("The fault proxy forwards Content-Length bodies only.");
            }
        }

        return new ProxiedRequest(number, start[0], start[1], length);
    }

    private static async Task RespondSlowDownAsync(NetworkStream client)
    {
        const string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate (injected).</Message></Error>";
        var response = $"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        await client.WriteAsync(Encoding.UTF8.GetBytes(response));
        await client.FlushAsync();
    }

    private static void Reset(TcpClient connection)
    {
        connection.Client.LingerState = new LingerOption(true, 0);
        connection.Client.Close();
    }

    private static bool IsClosed(TcpClient client) => client.Client.Poll(0, SelectMode.SelectRead) && client.Client.Available == 0;

    /// <summary>Reads request heads and forwards bodies, keeping what was read past a head.</summary>
    private sealed class BufferedReader(Stream source)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<byte[]?> ReadHeadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var found = _buffer.AsSpan(_start, _end - _start).IndexOf(HeadEnd);
                if (found >= 0)
                {
                    var head = _buffer.AsSpan(_start, found + HeadEnd.Length).ToArray();
                    _start += head.Length;
                    return head;
                }

                if (_start > 0)
                {
                    Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }

                if (_end == _buffer.Length)
                {
                    throw new IOException("A request head larger than 64 KiB.");
                }

                var read = await source.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
                if (read == 0)
                {
                    return null;
                }

                _end += read;
            }
        }

        public async Task ForwardAsync(Stream destination, long count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_start == _end)
                {
                    _start = 0;
                    _end = await source.ReadAsync(_buffer, cancellationToken);
                    if (_end == 0)
                    {
                        throw new IOException("The client closed the connection mid-body.");
                    }
                }

                var take = (int)Math.Min(count, _end - _start);
                await destination.WriteAsync(_buffer.AsMemory(_start, take), cancellationToken);
                _start += take;
                count -= take;
            }
        }
    }
}
