using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Diagnostics.Metrics;

namespace Orleans.Tokens.Grains.Metrics;

/// <summary>
/// The service's own instruments (meter <see cref="MeterName"/>), one per process: the gateway's request, mint and
/// sealed-token counters, and the silo's balance gauge over the customer grains active on this silo. Customer-labelled series
/// are bounded exactly by <c>Metrics:MaxCustomers</c>; past it, mints count under customer="other", balances are not
/// exported, and <c>tokens_metrics_customers_dropped_total</c> counts the customers (gateway) and activations (silo)
/// left out.
/// </summary>
public sealed class TokensMetrics
{
    public const string MeterName = "Orleans.Tokens";
    public const int DefaultMaxCustomers = 10_000;
    public const string OtherCustomer = "other";

    /// <summary>Request latency buckets, seconds: 1 ms to 10 s.</summary>
    public static readonly IReadOnlyList<double> SecondsBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly int _maxCustomers;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _minted;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _sealed;
    private readonly Counter<long> _redemptions;

    // Gateway: customers that have their own tokens_minted_total series, and those counted under "other" (each
    // set bounded by _maxCustomers; past the second, every mint of an unlisted customer counts as dropped again).
    private readonly ConcurrentDictionary<long, string> _mintLabels = new();
    private readonly ConcurrentDictionary<long, bool> _mintDropped = new();

    // Silo: the durable balances of the customer grains active here.
    private readonly ConcurrentDictionary<long, Balances> _balances = new();

    public TokensMetrics(IMeterFactory meters, int maxCustomers = DefaultMaxCustomers)
    {
        _maxCustomers = Math.Max(0, maxCustomers);
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("tokens_requests", null, "Mint requests by DRM, HTTP status and error code (0 on success)");
        _duration = meter.CreateHistogram<double>("tokens_request_duration", "s", "Mint request latency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _minted = meter.CreateCounter<long>("tokens_minted", null, "Tokens minted by DRM, environment and customer");
        _dropped = meter.CreateCounter<long>("tokens_metrics_customers_dropped", null,
            "Customers left out of customer-labelled series because Metrics:MaxCustomers was reached");
        _dropped.Add(0); // exported as 0 from the start, so that alerts on it see a series
        _sealed = meter.CreateCounter<long>("tokens_sealed", null,
            "Tokens sealed (minted or replayed) by token key id: how much each key has been used (section 7)");
        _redemptions = meter.CreateCounter<long>("tokens_redemptions", null,
            "Rights requests by DRM and outcome: issued, refused and failed (the issuer's), invalid_token, revoked, already_used, no_issuer, unavailable");
        meter.CreateObservableGauge("tokens_balance", ObserveBalances, null,
            "Durable token balance of each customer whose grain is active on this silo");
    }

    public void Request(Drm drm, int status, ErrorCode code, TimeSpan elapsed)
    {
        var drmName = drm.Name();
        _requests.Add(1,
            new KeyValuePair<string, object?>("drm", drmName),
            new KeyValuePair<string, object?>("status", (uint)status < StatusLabels.Length ? StatusLabels[status] : Invariant(status)),
            new KeyValuePair<string, object?>("error_code", CodeLabels.TryGetValue(code, out var label) ? label : Invariant((int)code)));
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("drm", drmName));
    }

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

    // The labels of every HTTP status and error code, made once rather than per request.
    private static readonly string[] StatusLabels = [.. Enumerable.Range(0, 600).Select(Invariant)];
    private static readonly FrozenDictionary<ErrorCode, string> CodeLabels =
        Enum.GetValues<ErrorCode>().Distinct().ToFrozenDictionary(code => code, code => Invariant((int)code));

    private static string Invariant(int number) => number.ToString(CultureInfo.InvariantCulture);

    // Known customers are answered without a lock; admitting a new one takes it, so the bound is exact.
    private string MintLabel(long customerId)
    {
        if (_mintLabels.TryGetValue(customerId, out var label)) return label;
        if (_mintDropped.ContainsKey(customerId)) return OtherCustomer;
        lock (_mintLabels)
        {
            if (_mintLabels.TryGetValue(customerId, out label)) return label;
            if (_mintLabels.Count < _maxCustomers)
            {
                label = customerId.ToString(CultureInfo.InvariantCulture);
                _mintLabels[customerId] = label;
                return label;
            }
            if (_mintDropped.ContainsKey(customerId)) return OtherCustomer;
            if (_mintDropped.Count < _maxCustomers) _mintDropped[customerId] = true;
            _dropped.Add(1);
            return OtherCustomer;
        }
    }

    /// <summary>
    /// A customer grain activated here (or its account was created): its durable balances get a series unless
    /// <c>Metrics:MaxCustomers</c> customers have one already; then it is counted as dropped and false is returned.
    /// </summary>
    public bool TryAddBalance(long customerId, long production, long test)
    {
        lock (_balances)
        {
            if (_balances.ContainsKey(customerId) || _balances.Count < _maxCustomers)
            {
                _balances[customerId] = new Balances(production, test);
                return true;
            }
        }
        _dropped.Add(1);
        return false;
    }

    /// <summary>A durable write of a customer with a series changed its balances.</summary>
    public void UpdateBalance(long customerId, long production, long test)
    {
        if (_balances.ContainsKey(customerId)) _balances[customerId] = new Balances(production, test);
    }

    /// <summary>The customer grain deactivated here: its balance is reported by the silo it activates on next.</summary>
    public void RemoveBalance(long customerId) => _balances.TryRemove(customerId, out _);

    private IEnumerable<Measurement<long>> ObserveBalances()
    {
        foreach (var (customerId, balances) in _balances)
        {
            var customer = new KeyValuePair<string, object?>("customer", customerId.ToString(CultureInfo.InvariantCulture));
            yield return new Measurement<long>(balances.Production, customer, new KeyValuePair<string, object?>("environment", "production"));
            yield return new Measurement<long>(balances.Test, customer, new KeyValuePair<string, object?>("environment", "test"));
        }
    }

    private readonly record struct Balances(long Production, long Test);
}
