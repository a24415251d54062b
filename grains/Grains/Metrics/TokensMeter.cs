using System.Diagnostics.Metrics;

namespace Orleans.Tokens.Grains.Metrics;

/// <summary>
/// The meter of the service's own instruments (<see cref="MeterName"/>), one per process (a gateway with an embedded
/// silo shares it), with what the gateway's <c>GatewayMetrics</c> and the silo's <see cref="BalanceMetrics"/> share:
/// the bound on customer-labelled series (<c>Metrics:MaxCustomers</c>, <see cref="MaxCustomers"/>) and
/// <c>tokens_metrics_customers_dropped_total</c>, the customers (gateway) and activations (silo) left out of them.
/// </summary>
public sealed class TokensMeter
{
    public const string MeterName = "Orleans.Tokens";
    public const int DefaultMaxCustomers = 10_000;

    private readonly Counter<long> _dropped;

    /// <summary>The meter, and the dropped-customers counter on it, exported as 0 from the start.</summary>
    public TokensMeter(IMeterFactory meters, int maxCustomers = DefaultMaxCustomers)
    {
        MaxCustomers = Math.Max(0, maxCustomers);
        Meter = meters.Create(MeterName);
        _dropped = Meter.CreateCounter<long>("tokens_metrics_customers_dropped", null,
            "Customers left out of customer-labelled series because Metrics:MaxCustomers was reached");
        // Exported as 0 from the start, so that alerts on it see a series.
        _dropped.Add(0);
    }

    public Meter Meter { get; }

    /// <summary>How many customers each customer-labelled series may have (at least 0).</summary>
    public int MaxCustomers { get; }

    /// <summary>A customer, or an activation, was left out of a customer-labelled series.</summary>
    public void Dropped() => _dropped.Add(1);
}
