using System.Net;
using System.Net.Sockets;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Free TCP ports on 127.0.0.1, picked at run time; never the same port twice in one test run. Only for listeners that
/// cannot take port 0 and report what they bound: Orleans' silo and gateway ports (Orleans 10.4.2 refuses SiloPort 0
/// and takes GatewayPort 0 as "no gateway") and PostgreSQL's port. A port picked here is free when picked, not
/// necessarily when the child binds it; web servers bind port 0 instead (<see cref="HostSettings.OwnPort"/>).
/// </summary>
internal static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    public static int[] Take(int count)
    {
        lock (Given)
        {
            var listeners = new List<TcpListener>();
            try
            {
                var ports = new List<int>();
                while (ports.Count < count)
                {
                    // Hold every listener until all are chosen, so the kernel hands out distinct ports.
                    var listener = new TcpListener(IPAddress.Loopback, 0);
                    listener.Start();
                    listeners.Add(listener);
                    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                    if (Given.Add(port)) ports.Add(port);
                }
                return [.. ports];
            }
            finally
            {
                foreach (var listener in listeners) listener.Stop();
            }
        }
    }
}
