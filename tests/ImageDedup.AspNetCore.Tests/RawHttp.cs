using System.Net.Sockets;
using System.Text;

namespace ImageDedup.AspNetCore.Tests;

/// <summary>
/// HTTP/1.1 by hand, for what HttpClient will not do: send part of a declared body and then stop —
/// half-closing the connection (a body cut short) or resetting it (a client that went away).
/// </summary>
internal static class RawHttp
{
    /// <summary>
    /// Sends the head and <paramref name="body"/>, half-closes when asked, and returns the status code
    /// the server answers (0 for none) with the whole response.
    /// </summary>
    public static async Task<(int Status, string Response)> SendAsync(Uri site, string path, string contentType, long declaredLength, ReadOnlyMemory<byte> body, string extraHeaders, bool halfClose)
    {
        using var socket = await ConnectAsync(site);
        await WriteRequestAsync(socket, site, path, contentType, declaredLength, body, "Connection: close\r\n" + extraHeaders);
        if (halfClose)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        var response = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromMinutes(1))) > 0)
            {
                response.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
        }

        var text = Encoding.ASCII.GetString(response.ToArray());
        return (text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture) : 0, text);
    }

    /// <summary>Sends the head and <paramref name="body"/> of a longer declared body, then resets the connection.</summary>
    public static async Task SendAndResetAsync(Uri site, string path, string contentType, long declaredLength, ReadOnlyMemory<byte> body, string? extraHeaders = null)
    {
        var socket = await ConnectAsync(site);
        await WriteRequestAsync(socket, site, path, contentType, declaredLength, body, extraHeaders);
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    private static async Task<Socket> ConnectAsync(Uri site)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(site.Host, site.Port);
        return socket;
    }

    private static async Task WriteRequestAsync(Socket socket, Uri site, string path, string contentType, long declaredLength, ReadOnlyMemory<byte> body, string? extraHeaders)
    {
        var head = $"POST {path} HTTP/1.1\r\nHost: {site.Authority}\r\nContent-Type: {contentType}\r\nContent-Length: {declaredLength}\r\n{extraHeaders}\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None);
        while (!body.IsEmpty)
        {
            var sent = await socket.SendAsync(body, SocketFlags.None);
            body = body[sent..];
        }
    }
}
