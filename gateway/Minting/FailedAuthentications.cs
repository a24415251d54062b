using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>
/// The settings of <see cref="FailedAuthentications"/>, section <c>Limits</c>: an address may fail
/// <see cref="FailedAuthenticationBurst"/> authentications at once, and <see cref="FailedAuthenticationsPerSecond"/>
/// more each second after.
/// </summary>
public sealed class FailedAuthenticationLimits
{
    public int FailedAuthenticationBurst { get; set; } = 20;
    public int FailedAuthenticationsPerSecond { get; set; } = 2;
}

/// <summary>
/// Failed authentications per client address, on each gateway (contract section 11): every -2018 answer takes one
/// token of the address's bucket (System.Threading.RateLimiting's token bucket, partitioned by address; an idle
/// address's bucket is dropped by the limiter); while its bucket is empty, the address's mints are refused 429
/// -9010 before any grain call, whatever their authenticator. The address is the connection's (behind a proxy,
/// the proxy's: see the README).
/// </summary>
public sealed class FailedAuthentications : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _buckets;
    private readonly TimeSpan _refill;

    public FailedAuthentications(IOptions<FailedAuthenticationLimits> options)
    {
        var limits = options.Value;
        if (limits.FailedAuthenticationBurst < 1 || limits.FailedAuthenticationsPerSecond < 1)
            throw new InvalidOperationException("Limits:FailedAuthenticationBurst and Limits:FailedAuthenticationsPerSecond must be at least 1");
        _refill = TimeSpan.FromSeconds(1.0 / limits.FailedAuthenticationsPerSecond);
        _buckets = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.FailedAuthenticationBurst,
                TokensPerPeriod = limits.FailedAuthenticationsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                AutoReplenishment = true,
                QueueLimit = 0,
            }));
    }

    /// <summary>Whether <paramref name="address"/> has failed too often (not one whole failure left); then when to try again.</summary>
    public bool Blocked(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        // The bucket refills in fractions of a token, and an acquisition of 0 succeeds on a fraction: the whole
        // tokens left are what decides.
        if (address is null || _buckets.GetStatistics(address) is not { CurrentAvailablePermits: < 1 }) return false;
        retryAfter = _refill;
        return true;
    }

    /// <summary>Counts one failed authentication of <paramref name="address"/>.</summary>
    public void Failed(IPAddress? address)
    {
        if (address is not null) _buckets.AttemptAcquire(address, 1).Dispose();
    }

    public void Dispose() => _buckets.Dispose();
}
