using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orleans.Tokens.Hosting.Health;

/// <summary>
/// The answer of <c>/readyz</c>: not ready as soon as the host begins to stop; otherwise the probe's last answer,
/// asked at most once per <see cref="CacheFor"/> and given <see cref="Timeout"/> to answer, so that frequent
/// probing is not a load.
/// </summary>
public sealed class Readiness(IHostApplicationLifetime lifetime, IEnumerable<IReadinessProbe> probes, ILogger<Readiness> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _asking = new(1, 1);
    private (bool Ready, string Reason, DateTime At)? _last;

    private bool Stopping => lifetime.ApplicationStopping.IsCancellationRequested;

    public async Task<(bool Ready, string Reason)> Check(CancellationToken cancellation)
    {
        if (Stopping) return (false, "shutting down");
        if (Fresh() is { } cached) return cached;
        await _asking.WaitAsync(cancellation);
        try
        {
            if (Fresh() is { } again) return again;
            var answer = await Ask();
            _last = (answer.Ready, answer.Reason, DateTime.UtcNow);
            return Stopping ? (false, "shutting down") : answer;
        }
        finally
        {
            _asking.Release();
        }
    }

    private (bool Ready, string Reason)? Fresh() =>
        _last is { } last && DateTime.UtcNow - last.At < CacheFor ? (last.Ready, last.Reason) : null;

    private async Task<(bool Ready, string Reason)> Ask()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        timeout.CancelAfter(Timeout);
        foreach (var probe in probes)
        {
            try
            {
                await probe.Probe(timeout.Token).WaitAsync(timeout.Token);
            }
            catch (Exception exception)
            {
                logger.LogWarning("Readiness probe failed ({Failure}): {Reason}", probe.Failure, exception.GetType().Name);
                return (false, probe.Failure);
            }
        }
        return (true, "ready");
    }
}

/// <summary>What readiness depends on besides not stopping.</summary>
public interface IReadinessProbe
{
    /// <summary>The sentence <c>/readyz</c> answers when the probe fails.</summary>
    string Failure { get; }

    Task Probe(CancellationToken cancellation);
}

/// <summary>A gateway: the cluster answers a grain call.</summary>
public sealed class ClusterProbe(IGrainFactory grains) : IReadinessProbe
{
    public string Failure => "cluster unreachable";

    public Task Probe(CancellationToken cancellation) => grains.GetGrain<IReadinessGrain>(0).Ping();
}

/// <summary>A silo: its grain storage answers a read of a sentinel key.</summary>
public sealed class StorageProbe(Storage.IStateDatabase database) : IReadinessProbe
{
    public string Failure => "storage unavailable";

    public Task Probe(CancellationToken cancellation) => database.Read("readiness", "sentinel", cancellation);
}
