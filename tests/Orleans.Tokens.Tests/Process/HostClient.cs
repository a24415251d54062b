using System.Net;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>HTTP clients for a host under test: no proxy, no redirects, no decompression, so a test sees what it answered.</summary>
internal static class HostClient
{
    public static HttpClient For(Uri baseUrl, int maxConnectionsPerServer, TimeSpan timeout) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnectionsPerServer,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = baseUrl,
            Timeout = timeout,
        };
}
