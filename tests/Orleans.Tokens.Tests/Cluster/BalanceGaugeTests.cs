using System.Diagnostics;
using System.Globalization;
using System.Net;
using Orleans.Tokens.Tests.Metrics;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// The README's balance gauge on a real cluster: <c>tokens_balance</c> of a customer is exported by exactly the
/// silo where its grain is active, with the durable balances; it disappears when the grain deactivates; and when the
/// silo holding it dies, the grain's next call activates it on the surviving silo, which then exports the balances
/// as they are, while before that call no silo exports anything for it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BalanceGaugeTests(ITestOutputHelper log)
{
    private const long Balance = 100;
    private const long TestBalance = 7;
    private static readonly TimeSpan ResumeLimit = TimeSpan.FromSeconds(60);

    [PostgresFact]
    public async Task The_balance_series_is_on_the_silo_holding_the_grain_and_goes_away_with_a_deactivation_and_follows_a_move()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 2, gateways: 1);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var gateway = cluster.Gateways[0];
        var customer = (await cluster.Admin.CreateCustomersAsync(5400001, 1, Balance, TestBalance))[0];

        // Active on one silo after three mints: that silo alone has the series, at the stored balances.
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await MintAsync(gateway, customer)).Status);
        var first = await OnlyExporterAsync(cluster, http, customer, (Balance - 3, TestBalance));

        // Deactivated: no silo has it any more.
        await using (var management = ClusterManagement.For(cluster.Environment))
            await management.DeactivateIdleGrainsAsync();
        foreach (var silo in cluster.Silos)
            Assert.Empty(BalanceSeries(await ScrapeAsync(http, silo), customer));
        log.WriteLine($"after the deactivation (the grain was on {first.Name}) no silo exports the series");

        // Active again on some silo after one more mint; then that silo is killed.
        Assert.Equal(HttpStatusCode.OK, (await MintAsync(gateway, customer)).Status);
        var holder = await OnlyExporterAsync(cluster, http, customer, (Balance - 4, TestBalance));
        holder.Kill();
        var survivor = cluster.Silos.Single(s => s != holder);
        log.WriteLine($"{holder.Name} (pid {holder.Process.Id}) killed with SIGKILL");

        // Until the grain's next call, the surviving silo has no series for it, stale or otherwise.
        Assert.Empty(BalanceSeries(await ScrapeAsync(http, survivor), customer));

        // Minting resumes through the gateway once the cluster has declared the silo dead (until then 503: -2030 for a
        // call the dead silo never took, -9001 for one it took with it; section 11).
        var watch = Stopwatch.StartNew();
        MintAnswer answer;
        while ((answer = await MintAsync(gateway, customer)).Status != HttpStatusCode.OK)
        {
            Assert.True(answer.Status == HttpStatusCode.ServiceUnavailable && answer.ErrorCode is -2030 or -9001, answer.ToString());
            Assert.True(watch.Elapsed < ResumeLimit, $"no mint succeeded within {ResumeLimit.TotalSeconds:0} s of the kill");
            await Task.Delay(250);
        }
        log.WriteLine($"a mint succeeded {watch.ElapsedMilliseconds} ms after the kill");

        // Now on the survivor, with the balances as stored: four mints before the kill, one after.
        var moved = await OnlyExporterAsync(cluster, http, customer, (Balance - 5, TestBalance));
        Assert.Same(survivor, moved);
    }

    private static Task<MintAnswer> MintAsync(ClusterGateway gateway, Customer customer) =>
        TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath,
            [.. TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)), new("errorFormat", "json")]);

    /// <summary>
    /// Scrapes every live silo: exactly one exports the customer's balance series, one per environment, each equal
    /// to the balance <c>admin customer show</c> reads, which is <paramref name="expected"/>. Returns that silo.
    /// </summary>
    private async Task<ClusterSilo> OnlyExporterAsync(ClusterProcesses cluster, HttpClient http, Customer customer, (long Production, long Test) expected)
    {
        var live = cluster.Silos.Where(s => !s.Process.HasExited).ToList();
        var series = new Dictionary<ClusterSilo, List<Sample>>();
        foreach (var silo in live) series[silo] = BalanceSeries(await ScrapeAsync(http, silo), customer);
        foreach (var (silo, found) in series)
            log.WriteLine($"{silo.Name}: {(found.Count == 0 ? "no series" : string.Join(", ", found.Select(s => $"{s.Labels["environment"]} {s.Value}")))}");
        var exporters = series.Where(pair => pair.Value.Count > 0).Select(pair => pair.Key).ToList();
        Assert.True(exporters.Count == 1, $"{exporters.Count} silos export tokens_balance for customer {customer.Id}: {string.Join(", ", exporters.Select(s => s.Name))}");
        var exporter = exporters[0];

        var stored = (await cluster.Admin.BalancesAsync([customer.Id]))[customer.Id];
        Assert.Equal(expected, stored);
        var samples = series[exporter];
        Assert.Equal(new[] { "production", "test" }, samples.Select(s => s.Labels["environment"]).Order(StringComparer.Ordinal));
        Assert.Equal(stored.Production, samples.Single(s => s.Has("environment", "production")).Value);
        Assert.Equal(stored.Test, samples.Single(s => s.Has("environment", "test")).Value);
        return exporter;
    }

    private static Task<PrometheusText> ScrapeAsync(HttpClient http, ClusterSilo silo) =>
        PrometheusText.ScrapeAsync(http, new Uri(silo.BaseUrl, "/metrics").ToString());

    private static List<Sample> BalanceSeries(PrometheusText scrape, Customer customer) =>
        [.. scrape.Named(MetricNames.Balance).Where(s => s.Has("customer", customer.Id.ToString(CultureInfo.InvariantCulture)))];
}
