using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Orleans.Tokens.Grains.Metrics;

/// <summary>
/// The silo's <c>tokens_balance</c> gauge: the durable balances of the customer grains active on this silo, by
/// customer and environment, for at most <see cref="TokensMeter.MaxCustomers"/> customers (past it an activation is
/// counted as dropped and not exported).
/// </summary>
public sealed class BalanceMetrics
{
    private readonly TokensMeter _meter;
    private readonly ConcurrentDictionary<long, Balances> _balances = new();

    public BalanceMetrics(TokensMeter meter)
    {
        _meter = meter;
        meter.Meter.CreateObservableGauge("tokens_balance", Observe, null,
            "Durable token balance of each customer whose grain is active on this silo");
    }

    /// <summary>
    /// A customer grain activated here (or its account was created): its durable balances get a series unless
    /// <see cref="TokensMeter.MaxCustomers"/> customers have one already; then it is counted as dropped and false is returned.
    /// </summary>
    public bool TryAdd(long customerId, long production, long test)
    {
        lock (_balances)
        {
            if (_balances.ContainsKey(customerId) || _balances.Count < _meter.MaxCustomers)
            {
                _balances[customerId] = new Balances(production, test);
                return true;
            }
        }
        _meter.Dropped();
        return false;
    }

    /// <summary>A durable write of a customer with a series changed its balances.</summary>
    public void Update(long customerId, long production, long test)
    {
        if (_balances.ContainsKey(customerId)) _balances[customerId] = new Balances(production, test);
    }

    /// <summary>The customer grain deactivated here: its balance is reported by the silo it activates on next.</summary>
    public void Remove(long customerId) => _balances.TryRemove(customerId, out _);

    private IEnumerable<Measurement<long>> Observe()
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
