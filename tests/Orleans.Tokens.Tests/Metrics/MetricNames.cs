namespace Orleans.Tokens.Tests.Metrics;

/// <summary>
/// The metric names as Prometheus shows them at <c>/metrics</c> (contract section 10). deploy/ (dashboard,
/// alert rules) uses exactly these; a test scrapes a real gateway and finds each one.
/// </summary>
public static class MetricNames
{
    // Gateway (every gateway process, embedded or client mode).
    /// <summary>Counter; labels drm ("widevine"|"playready"), status ("200", "400", ...), error_code ("0" on success, "-2019", ...).</summary>
    public const string Requests = "tokens_requests_total";
    /// <summary>Histogram in seconds; label drm. Exported as _bucket, _sum, _count.</summary>
    public const string RequestDuration = "tokens_request_duration_seconds";
    /// <summary>Counter; labels drm, environment ("production"|"test"), customer (the id as text, or "other" past Metrics:MaxCustomers).</summary>
    public const string Minted = "tokens_minted_total";
    /// <summary>Counter; label key_id: tokens sealed (mints and replays) under each token key (section 7, issue 9).</summary>
    public const string Sealed = "tokens_sealed_total";
    /// <summary>Counter; past Metrics:MaxCustomers, customers a gateway counts under "other" and activations a silo leaves without a balance series (README "Bounds").</summary>
    public const string CustomersDropped = "tokens_metrics_customers_dropped_total";
    /// <summary>Counter; labels drm, outcome ("issued", "refused", "failed", "invalid_token", "revoked", "already_used", "no_issuer", "unavailable"): rights requests (section 8).</summary>
    public const string Redemptions = "tokens_redemptions_total";

    // Silo (every silo process, and the embedded gateway, which co-hosts a silo).
    /// <summary>Gauge; labels customer, environment. Reported by the silo where the customer grain is active.</summary>
    public const string Balance = "tokens_balance";
    /// <summary>Histogram in seconds: one grain-state write transaction.</summary>
    public const string StorageWriteDuration = "tokens_storage_write_duration_seconds";
    /// <summary>Histogram: grain-state rows per write transaction (group commit batch size).</summary>
    public const string StorageBatchSize = "tokens_storage_batch_size";
    /// <summary>Counter: grain-state rows whose write transaction failed.</summary>
    public const string StorageFailedWrites = "tokens_storage_failed_writes_total";

    /// <summary>
    /// Orleans' own meter (Microsoft.Orleans; instrument orleans-consistent-ring-size, a gauge): the active silos in
    /// the cluster as this silo sees them. Exported by silos (and the embedded gateway), not by a client-mode
    /// gateway; for "silo count" take max() over silos. Orleans 10.4.2 has no orleans-membership-* instrument.
    /// Every series also carries the label otel_scope_name (the meter).
    /// </summary>
    public const string OrleansActiveSilos = "orleans_consistent_ring_size";

    /// <summary>Histogram names as they appear in the exposition (each has _bucket, _sum and _count series).</summary>
    public static readonly IReadOnlyList<string> Histograms = [RequestDuration, StorageWriteDuration, StorageBatchSize];

    /// <summary>Every name above: the base name of histograms, the full name of counters and gauges.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Requests, RequestDuration, Minted, Sealed, CustomersDropped, Redemptions,
        Balance, StorageWriteDuration, StorageBatchSize, StorageFailedWrites,
        OrleansActiveSilos,
    ];

    /// <summary>The series names a histogram produces.</summary>
    public static IEnumerable<string> SeriesOf(string histogram) =>
        [histogram + "_bucket", histogram + "_sum", histogram + "_count"];
}
