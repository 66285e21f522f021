using System.Net;
using System.Net.Sockets;

namespace DirectDriveX.Testing;

/// <summary>A TCP port on 127.0.0.1 that nothing listened on a moment ago (the OS's pick).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
