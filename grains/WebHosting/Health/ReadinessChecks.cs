using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Tokens.Hosting.Storage;

namespace Orleans.Tokens.WebHosting.Health;

/// <summary>
/// <c>/readyz</c> on a gateway: the cluster answers a grain call (<see cref="IReadinessGrain"/>, a stateless worker,
/// no storage); otherwise 503 <c>cluster unreachable</c>. One per host, as it keeps the last answer.
/// </summary>
internal sealed class ClusterCheck(IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<ClusterCheck> logger) : IHealthCheck
{
    private readonly CachedProbe _probe = new("cluster unreachable", _ => grains.GetGrain<IReadinessGrain>(0).Ping(), lifetime, logger);

    /// <inheritdoc cref="CachedProbe.Check"/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _probe.Check(cancellationToken);
}

/// <summary>
/// <c>/readyz</c> on a silo (and the embedded default): its grain storage answers a read of a sentinel key; otherwise
/// 503 <c>storage unavailable</c>. One per host, as it keeps the last answer.
/// </summary>
internal sealed class StorageCheck(IStateDatabase database, IHostApplicationLifetime lifetime, ILogger<StorageCheck> logger) : IHealthCheck
{
    private readonly CachedProbe _probe = new("storage unavailable", cancellation => database.Read("readiness", "sentinel", cancellation), lifetime, logger);

    /// <inheritdoc cref="CachedProbe.Check"/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _probe.Check(cancellationToken);
}
