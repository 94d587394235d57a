using System.Net.Sockets;

namespace ImageDedup.Testing.Servers;

/// <summary>Whether a Docker engine can be reached, and what to say when none can.</summary>
internal static class DockerEngine
{
    private const string SocketPath = "/var/run/docker.sock";

    /// <summary>Whether a Docker engine is reachable: DOCKER_HOST is set, or the default socket accepts a connection.</summary>
    public static bool IsReachable()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOCKER_HOST")))
        {
            return true;
        }

        if (!OperatingSystem.IsWindows() && !File.Exists(SocketPath))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Why a container of <paramref name="server"/> cannot start without an engine, and how to get one.</summary>
    public static string Missing(string server) =>
        $"No Docker engine answers (DOCKER_HOST is not set and {SocketPath} accepts no connection), so no {server} container can start. " +
        "Start Docker, or on a machine without an image registry run scripts/container-images.sh as root: it starts an engine and builds the images " +
        "(eval \"$(scripts/container-images.sh)\" exports the variables that point the fixtures at them).";
}
