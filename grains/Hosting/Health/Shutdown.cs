namespace Orleans.Tokens.Hosting.Health;

/// <summary>
/// Graceful shutdown. The web server is the host's last service to start and so its first to stop: on SIGTERM
/// Kestrel stops accepting and finishes the requests in flight while the silo or cluster client is still up;
/// then Orleans stops (a silo hands its grains off).
/// </summary>
public static class Shutdown
{
    /// <summary>The host's limit for stopping: room for the requests in flight and for Orleans to hand its grains off.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
}
