using System.Net;
using System.Net.Sockets;

namespace ImageDedup.Testing.Servers;

/// <summary>Ports for servers that share the host's network.</summary>
internal static class LoopbackPort
{
    /// <summary>A loopback port nothing listens on now (the system's choice), for a server's command line.</summary>
    public static int Free()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
