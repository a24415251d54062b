using System.Globalization;
using System.Net;
using Orleans.Tokens.Tests.Metrics;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Contract section 10 and the admin tool's <c>usage</c>, on a real gateway process (embedded silo, SQLite): real
/// traffic, then a scrape of <c>/metrics</c> finds each metric by its exact name with the values the traffic made.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class MetricsProcessTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Scrape_AfterTraffic_ShowsEveryMetric_WithPlausibleValues()
    {
        const int widevine = 5, playReady = 3, balance = 20;
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4300001, balance: balance);
        var before = await PrometheusText.ScrapeAsync(gateway.Management);
        var kid = TokenRequests.RandomHex(16);

        var rightsUrls = new List<string>();
        for (var i = 0; i < widevine; i++)
        {
            var minted = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath,
                TokenRequests.Widevine(customer.Production, kid, TokenRequests.RandomHex(16)));
            Assert.Equal(HttpStatusCode.OK, minted.Status);
            rightsUrls.Add(minted.Body);
        }
        for (var i = 0; i < playReady; i++)
            Assert.Equal(HttpStatusCode.OK, (await TokenRequests.PostAsync(gateway.Http, TokenRequests.PlayReadyPath,
                TokenRequests.PlayReady(customer.Production, kid, TokenRequests.RandomHex(16)))).Status);
        // Refusals: two unknown secrets (401, -2018), one malformed kid (400, -4022).
        var wrong = TokenRequests.Widevine($"{customer.Id},{new string('a', 32)}", kid, TokenRequests.RandomHex(16));
        wrong.Add(new("errorFormat", "json"));
        for (var i = 0; i < 2; i++)
        {
            var refused = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath, wrong);
            Assert.Equal((HttpStatusCode.Unauthorized, -2018), (refused.Status, refused.ErrorCode));
        }
        var malformed = TokenRequests.Widevine(customer.Production, "xyz", TokenRequests.RandomHex(16));
        malformed.Add(new("errorFormat", "json"));
        var bad = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath, malformed);
        Assert.Equal((HttpStatusCode.BadRequest, -4022), (bad.Status, bad.ErrorCode));

        // Redemptions (section 8): two good tokens with no issuer configured (501), one bad token (400 -4010).
        foreach (var rightsUrl in rightsUrls.Take(2))
            Assert.Equal(HttpStatusCode.NotImplemented, (await gateway.Http.GetAsync(rightsUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await gateway.Http.GetAsync("/hms/wv/rights/?ExpressPlayToken=bad")).StatusCode);

        var after = await PrometheusText.ScrapeAsync(gateway.Management);
        log.WriteLine(string.Join('\n', after.Text.Split('\n').Where(l => l.StartsWith("tokens_", StringComparison.Ordinal) && !l.Contains("_bucket"))));
        var id = customer.Id.ToString(CultureInfo.InvariantCulture);

        foreach (var name in MetricNames.All)
            Assert.True(after.Exposes(name), $"{name} is not in /metrics:\n{after.Text}");

        // tokens_minted_total: exactly the tokens minted, by DRM, for this customer and environment.
        Assert.Equal(widevine, after.Sum(MetricNames.Minted, ("customer", id), ("drm", "widevine"), ("environment", "production")));
        Assert.Equal(playReady, after.Sum(MetricNames.Minted, ("customer", id), ("drm", "playready"), ("environment", "production")));
        Assert.Equal(widevine + playReady, after.Sum(MetricNames.Minted));

        // tokens_sealed_total: every token sealed, under the active token key's id.
        Assert.Equal(widevine + playReady, after.Sum(MetricNames.Sealed, ("key_id", gateway.LoadKeyRing().ActiveKeyId)));
        Assert.Equal(widevine + playReady, after.Sum(MetricNames.Sealed));

        // tokens_requests_total: one per request, by DRM, status and code.
        double Delta(params (string, string)[] labels) =>
            after.Sum(MetricNames.Requests, labels) - before.Sum(MetricNames.Requests, labels);
        Assert.Equal(widevine, Delta(("drm", "widevine"), ("status", "200"), ("error_code", "0")));
        Assert.Equal(playReady, Delta(("drm", "playready"), ("status", "200"), ("error_code", "0")));
        Assert.Equal(2, Delta(("drm", "widevine"), ("status", "401"), ("error_code", "-2018")));
        Assert.Equal(1, Delta(("drm", "widevine"), ("status", "400"), ("error_code", "-4022")));
        Assert.Equal(widevine + playReady + 3, Delta());

        // The latency histogram counted every request, in seconds.
        Assert.Equal(widevine + playReady + 3, after.Sum(MetricNames.RequestDuration + "_count"));
        Assert.InRange(after.Sum(MetricNames.RequestDuration + "_sum"), 1e-6, 60);
        Assert.Equal(playReady, after.Sum(MetricNames.RequestDuration + "_bucket", ("drm", "playready"), ("le", "+Inf")));

        // tokens_redemptions_total: every rights request, by DRM and outcome.
        Assert.Equal(2, after.Sum(MetricNames.Redemptions, ("drm", "widevine"), ("outcome", "no_issuer")));
        Assert.Equal(1, after.Sum(MetricNames.Redemptions, ("drm", "widevine"), ("outcome", "invalid_token")));
        Assert.Equal(3, after.Sum(MetricNames.Redemptions));

        // tokens_balance: the customer's durable balance, per environment.
        Assert.Equal(balance - widevine - playReady, after.Sum(MetricNames.Balance, ("customer", id), ("environment", "production")));
        Assert.Equal(balance - widevine - playReady, await gateway.Admin.ProductionBalanceAsync(customer.Id));
        Assert.Equal(0, after.Sum(MetricNames.Balance, ("customer", id), ("environment", "test")));

        // Grain storage: the account's creation and every debit were written, at least one row per transaction.
        var writes = after.Sum(MetricNames.StorageWriteDuration + "_count");
        Assert.InRange(writes, 1, 1 + widevine + playReady);
        Assert.Equal(writes, after.Sum(MetricNames.StorageBatchSize + "_count"));
        Assert.Equal(1 + widevine + playReady, after.Sum(MetricNames.StorageBatchSize + "_sum"));
        Assert.Equal(0, after.Sum(MetricNames.StorageFailedWrites));
        Assert.Equal(0, after.Sum(MetricNames.CustomersDropped));

        // Orleans' own meter: one silo.
        Assert.Contains(after.Samples, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.Equal(1, after.Sum(MetricNames.OrleansActiveSilos));

        // Usage through the admin tool: today's counts, per DRM; nothing before today with --since today.
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var usage = await gateway.Admin.RunOkAsync("usage", id);
        Assert.Equal(widevine, usage.GetProperty("total").GetProperty("production").GetProperty("widevine").GetInt64());
        Assert.Equal(playReady, usage.GetProperty("total").GetProperty("production").GetProperty("playready").GetInt64());
        var days = usage.GetProperty("days");
        Assert.Equal(1, days.GetArrayLength());
        Assert.Equal(today, days[0].GetProperty("day").GetString());
        Assert.Equal(widevine, days[0].GetProperty("production").GetProperty("widevine").GetInt64());
        Assert.Equal(0, days[0].GetProperty("test").GetProperty("playready").GetInt64());
        var future = await gateway.Admin.RunOkAsync("usage", id, "--since", DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Assert.Equal(0, future.GetProperty("days").GetArrayLength());
        var badDate = await gateway.Admin.RunAsync("usage", id, "--since", "yesterday");
        Assert.NotEqual(0, badDate.ExitCode);
    }
}
