using System.Globalization;
using System.Net;
using Orleans.Tokens.Tests.ClusterLevel;
using Orleans.Tokens.Tests.Metrics;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// The bound of the README's "Metrics" section, on a gateway process (embedded silo, SQLite) started with
/// <c>Metrics:MaxCustomers=3</c>: the first 3 customers to mint get their own <c>tokens_minted_total</c> series and
/// later ones count under customer="other"; the first 3 accounts to activate get <c>tokens_balance</c> series and later
/// ones none; each customer left out adds 1 to <c>tokens_metrics_customers_dropped_total</c>.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CustomerSeriesBoundTests(ITestOutputHelper log)
{
    private const int MaxCustomers = 3;
    private const long FirstId = 4300201;
    private const long Balance = 50;
    private const string Other = "other";

    [Fact]
    public async Task With_MaxCustomers_3_and_5_customers_the_first_3_get_series_and_the_rest_count_as_other_and_dropped()
    {
        await using var gateway = await GatewayProcess.StartAsync(log, $"--Metrics:MaxCustomers={MaxCustomers}");

        // Created one after another, so their accounts activate (and ask for a balance series) in id order; each has
        // its own test balance, so every value below belongs to one customer.
        var customers = new List<Customer>();
        for (var i = 0; i < 5; i++)
            customers.Add(await gateway.Admin.CreateCustomerAsync(FirstId + i, Balance, "--test-balance", (i + 1).ToString(CultureInfo.InvariantCulture)));

        // They mint in the opposite order, each a different number of tokens: the last created mints first.
        var minted = new Dictionary<long, int>();
        var kid = TokenRequests.RandomHex(16);
        foreach (var (customer, count) in customers.AsEnumerable().Reverse().Zip([2, 3, 4, 5, 6]))
        {
            for (var i = 0; i < count; i++)
            {
                var answer = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath,
                    TokenRequests.Widevine(customer.Production, kid, TokenRequests.RandomHex(16)));
                Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
            }
            minted[customer.Id] = count;
        }
        var mintOrder = customers.Select(c => c.Id).Reverse().ToList();
        var activationOrder = customers.Select(c => c.Id).ToList();

        var scrape = await PrometheusText.ScrapeAsync(gateway.Management);
        log.WriteLine(string.Join('\n', scrape.Text.Split('\n').Where(l =>
            l.StartsWith(MetricNames.Minted, StringComparison.Ordinal) || l.StartsWith(MetricNames.Balance, StringComparison.Ordinal)
            || l.StartsWith(MetricNames.CustomersDropped, StringComparison.Ordinal))));

        // tokens_minted_total: the first 3 to mint each have their own series with exactly their count; the other
        // 2 are summed under customer="other".
        var ownMinted = mintOrder.Take(MaxCustomers).ToList();
        var otherMinted = mintOrder.Skip(MaxCustomers).ToList();
        Assert.Equal(
            ownMinted.Select(Label).Append(Other).Order(StringComparer.Ordinal),
            CustomerLabels(scrape, MetricNames.Minted));
        foreach (var id in ownMinted)
            Assert.Equal(minted[id], scrape.Sum(MetricNames.Minted, ("customer", Label(id))));
        Assert.Equal(otherMinted.Sum(id => minted[id]), scrape.Sum(MetricNames.Minted, ("customer", Other)));
        Assert.Equal(minted.Values.Sum(), scrape.Sum(MetricNames.Minted));

        // tokens_balance: only the first 3 accounts to activate, each with its real balances (read with the admin
        // tool), production and test; none for the others, and none under "other".
        var ownBalance = activationOrder.Take(MaxCustomers).ToList();
        Assert.Equal(ownBalance.Select(Label).Order(StringComparer.Ordinal), CustomerLabels(scrape, MetricNames.Balance));
        var balances = await gateway.Admin.BalancesAsync(activationOrder);
        foreach (var id in activationOrder)
            Assert.Equal((Balance - minted[id], id - FirstId + 1), balances[id]);
        foreach (var id in ownBalance)
        {
            Assert.Equal(balances[id].Production, scrape.Sum(MetricNames.Balance, ("customer", Label(id)), ("environment", "production")));
            Assert.Equal(balances[id].Test, scrape.Sum(MetricNames.Balance, ("customer", Label(id)), ("environment", "test")));
            Assert.Equal(2, scrape.Named(MetricNames.Balance).Count(s => s.Has("customer", Label(id))));
        }

        // tokens_metrics_customers_dropped_total: 1 per customer left out, however often it minted afterwards: the
        // 2 left out of minted series and the 2 left out of balance series (one process: gateway and silo share it).
        Assert.Equal(otherMinted.Count + (activationOrder.Count - ownBalance.Count), scrape.Sum(MetricNames.CustomersDropped));
    }

    private static string Label(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static List<string> CustomerLabels(PrometheusText scrape, string name) =>
        [.. scrape.Named(name).Select(s => s.Labels["customer"]).Distinct().Order(StringComparer.Ordinal)];
}
