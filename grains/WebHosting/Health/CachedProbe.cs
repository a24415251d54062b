using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orleans.Tokens.WebHosting.Health;

/// <summary>
/// A dependency of <c>/readyz</c> as its health check answers it (README, "Metrics, health and shutdown"): Unhealthy
/// <see cref="ShuttingDown"/> from the moment the host begins to stop, without asking; otherwise the probe's last
/// answer, Healthy, or Unhealthy with <c>failure</c> when the probe threw or took over <see cref="Timeout"/> (logged
/// once, as a warning). ASP.NET Core's health checks keep no answers, so this does: the probe is asked at most once
/// per <see cref="CacheFor"/>, so that frequent probing is not a load, and the requests meanwhile share the ask in
/// flight, which a request that leaves does not cancel.
/// </summary>
internal sealed partial class CachedProbe(string failure, Func<CancellationToken, Task> probe, IHostApplicationLifetime lifetime, ILogger logger)
{
    /// <summary>What <c>/readyz</c> answers once the host has begun to stop.</summary>
    public const string ShuttingDown = "shutting down";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private readonly Lock _asking = new();
    private Task<Answer>? _last;

    private bool Stopping => lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>The answer described above; throws <see cref="OperationCanceledException"/> if the request leaves first.</summary>
    public async Task<HealthCheckResult> Check(CancellationToken cancellation)
    {
        if (Stopping) return HealthCheckResult.Unhealthy(ShuttingDown);
        Task<Answer> answer;
        lock (_asking)
        {
            // An ask never faults: a completed one has its answer.
            if (_last is null || _last.IsCompleted && Stopwatch.GetElapsedTime(_last.Result.At) >= CacheFor)
                _last = Task.Run(Ask);
            answer = _last;
        }
        var (result, _) = await answer.WaitAsync(cancellation);
        return Stopping ? HealthCheckResult.Unhealthy(ShuttingDown) : result;
    }

    private async Task<Answer> Ask()
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
            timeout.CancelAfter(Timeout);
            await probe(timeout.Token).WaitAsync(timeout.Token);
            return new(HealthCheckResult.Healthy(), Stopwatch.GetTimestamp());
        }
        catch (Exception exception)
        {
            LogFailed(logger, failure, exception.GetType().Name);
            return new(HealthCheckResult.Unhealthy(failure), Stopwatch.GetTimestamp());
        }
    }

    /// <summary>A probe's answer and when it came (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    private readonly record struct Answer(HealthCheckResult Result, long At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness probe failed ({Failure}): {Reason}")]
    private static partial void LogFailed(ILogger logger, string failure, string reason);
}
