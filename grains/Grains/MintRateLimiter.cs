namespace Orleans.Tokens.Grains;

/// <summary>
/// A customer's mint rate limit (contract section 11), kept by its single activation: the generic cell rate
/// algorithm (GCRA, a leaky bucket kept as one "theoretical arrival time"). At N mints a second each mint takes
/// 1/N s; a burst of up to max(1, N/4) mints may come at once, so over any 10 s at most 10·N + N/4 + 1 pass. The
/// burst is also what a quarter-second stall of the process (a garbage collection, a slow disk) does not cost the
/// customer: with N/10 a CI run under load measured 43 to 46 a second for N = 50. In memory only: a new
/// activation starts with a full allowance.
/// </summary>
internal sealed class MintRateLimiter
{
    private DateTimeOffset _arrival = DateTimeOffset.MinValue;

    /// <summary>
    /// Takes one mint of <paramref name="perSecond"/> at <paramref name="now"/>; false with the wait until the
    /// next one is allowed when the limit is reached (nothing taken then).
    /// </summary>
    public bool TryTake(DateTimeOffset now, int perSecond, out TimeSpan retryAfter)
    {
        var interval = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / perSecond);
        var tolerance = interval * (Math.Max(1, perSecond / 4) - 1);
        var arrival = _arrival > now ? _arrival : now;
        if (arrival - now > tolerance)
        {
            retryAfter = arrival - tolerance - now;
            return false;
        }
        _arrival = arrival + interval;
        retryAfter = TimeSpan.Zero;
        return true;
    }
}
