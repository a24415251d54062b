using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orleans.Tokens.Hosting.Health;

/// <summary>Requests being answered now.</summary>
public sealed class InFlightRequests
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Enter() => Interlocked.Increment(ref _count);

    public void Exit() => Interlocked.Decrement(ref _count);
}

/// <summary>
/// Graceful shutdown: when the host begins to stop (and <c>/readyz</c> answers 503), waits for the requests in
/// flight to be answered, up to <see cref="MaxWait"/>, before any hosted service stops — before the silo or the
/// cluster client goes away under them. Kestrel then stops accepting and finishes what is left.
/// </summary>
public sealed class DrainOnShutdown(InFlightRequests inFlight, ILogger<DrainOnShutdown> logger) : IHostedLifecycleService
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    /// <summary>The host's own limit for stopping: room for the drain and for Orleans to hand its grains off.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + MaxWait;
        if (inFlight.Count > 0) logger.LogInformation("Stopping: draining {Count} requests in flight", inFlight.Count);
        while (inFlight.Count > 0 && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            await Task.Delay(50, CancellationToken.None);
        if (inFlight.Count > 0) logger.LogWarning("Stopping with {Count} requests still in flight", inFlight.Count);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
