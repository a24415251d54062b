using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using System.Globalization;
using Orleans.Tokens.Grains.Metrics;

namespace Orleans.Tokens.Gateway.Metrics;

/// <summary>
/// The gateway's instruments, on the service's meter (<see cref="TokensMeter"/>): requests and their latency, tokens
/// minted by customer, tokens sealed by token key, rights requests by outcome (README, "Metrics, health and
/// shutdown"). <c>tokens_minted_total</c> has a series of its own for at most <see cref="TokensMeter.MaxCustomers"/>
/// customers; past it, mints count under customer="other" and each customer left out is counted as dropped once.
/// </summary>
internal sealed class GatewayMetrics
{
    /// <summary>The customer label of mints past the bound.</summary>
    public const string OtherCustomer = "other";

    /// <summary>Request latency buckets, seconds: 1 ms to 10 s.</summary>
    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // The labels of every HTTP status and error code, made once rather than per request.
    private static readonly string[] StatusLabels = [.. Enumerable.Range(0, 600).Select(Invariant)];
    private static readonly FrozenDictionary<ErrorCode, string> CodeLabels =
        Enum.GetValues<ErrorCode>().Distinct().ToFrozenDictionary(code => code, code => Invariant((int)code));

    private readonly TokensMeter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _minted;
    private readonly Counter<long> _sealed;
    private readonly Counter<long> _redemptions;

    // Customers that have their own tokens_minted_total series, and those counted under "other" (each set bounded by
    // MaxCustomers; past the second, every mint of an unlisted customer counts as dropped again).
    private readonly ConcurrentDictionary<long, string> _mintLabels = new();
    private readonly ConcurrentDictionary<long, bool> _mintDropped = new();

    public GatewayMetrics(TokensMeter meter)
    {
        _meter = meter;
        _requests = meter.Meter.CreateCounter<long>("tokens_requests", null, "Mint requests by DRM, HTTP status and error code (0 on success)");
        _duration = meter.Meter.CreateHistogram<double>("tokens_request_duration", "s", "Mint request latency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _minted = meter.Meter.CreateCounter<long>("tokens_minted", null, "Tokens minted by DRM, environment and customer");
        _sealed = meter.Meter.CreateCounter<long>("tokens_sealed", null,
            "Tokens sealed (minted or replayed) by token key id: how much each key has been used (section 7)");
        _redemptions = meter.Meter.CreateCounter<long>("tokens_redemptions", null,
            "Rights requests by DRM and outcome: issued, refused and failed (the issuer's), invalid_token, revoked, already_used, no_issuer, unavailable");
    }

    /// <summary>A mint request of <paramref name="drm"/> was answered <paramref name="status"/> with <paramref name="code"/> after <paramref name="elapsed"/>.</summary>
    public void Request(Drm drm, int status, ErrorCode code, TimeSpan elapsed)
    {
        var drmName = drm.Name();
        _requests.Add(1,
            new KeyValuePair<string, object?>("drm", drmName),
            new KeyValuePair<string, object?>("status", (uint)status < StatusLabels.Length ? StatusLabels[status] : Invariant(status)),
            new KeyValuePair<string, object?>("error_code", CodeLabels.TryGetValue(code, out var label) ? label : Invariant((int)code)));
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("drm", drmName));
    }

    /// <summary>A token was minted (not replayed) for <paramref name="customerId"/>.</summary>
    public void Minted(Drm drm, TokenEnvironment environment, long customerId) =>
        _minted.Add(1,
            new KeyValuePair<string, object?>("drm", drm.Name()),
            new KeyValuePair<string, object?>("environment", environment.Name()),
            new KeyValuePair<string, object?>("customer", MintLabel(customerId)));

    /// <summary>A rights request of <paramref name="drm"/> ended with <paramref name="outcome"/> (section 8; the names in the counter's description).</summary>
    public void Redeemed(Drm drm, string outcome) =>
        _redemptions.Add(1, new KeyValuePair<string, object?>("drm", drm.Name()), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A token was sealed under the token key <paramref name="keyId"/> (a key id, never key material).</summary>
    public void Sealed(string keyId) => _sealed.Add(1, new KeyValuePair<string, object?>("key_id", keyId));

    private static string Invariant(int number) => number.ToString(CultureInfo.InvariantCulture);

    // Known customers are answered without a lock; admitting a new one takes it, so the bound is exact.
    private string MintLabel(long customerId)
    {
        if (_mintLabels.TryGetValue(customerId, out var label)) return label;
        if (_mintDropped.ContainsKey(customerId)) return OtherCustomer;
        lock (_mintLabels)
        {
            if (_mintLabels.TryGetValue(customerId, out label)) return label;
            if (_mintLabels.Count < _meter.MaxCustomers)
            {
                label = customerId.ToString(CultureInfo.InvariantCulture);
                _mintLabels[customerId] = label;
                return label;
            }
            if (_mintDropped.ContainsKey(customerId)) return OtherCustomer;
            if (_mintDropped.Count < _meter.MaxCustomers) _mintDropped[customerId] = true;
            _meter.Dropped();
            return OtherCustomer;
        }
    }
}
