using System.Net;
using Orleans.Tokens.Tests.Metrics;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Contract section 11's listeners on a real gateway process with its default settings and a management listener
/// (<c>Management:Urls</c>): the public listener serves the API, <c>/healthz</c> and <c>/readyz</c> but not
/// <c>/metrics</c> (customer ids, balances); the management listener serves <c>/metrics</c>, <c>/healthz</c> and
/// <c>/readyz</c> and nothing of the API; on SIGTERM its <c>/readyz</c> turns 503 with the public one's.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ManagementListenerTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Metrics_are_on_the_management_listener_only_and_the_API_on_the_public_one_only()
    {
        await using var gateway = await GatewayProcess.StartAsync(log, HostSettings.TestedDrain);
        var customer = await gateway.Admin.CreateCustomerAsync(4500001, balance: 3);
        var mint = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath,
            TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)));
        Assert.Equal(HttpStatusCode.OK, mint.Status);
        Assert.NotEqual(gateway.BaseUrl.Port, gateway.ManagementUrl.Port);

        using (var publicMetrics = await gateway.Http.GetAsync("/metrics"))
            Assert.Equal(HttpStatusCode.NotFound, publicMetrics.StatusCode);
        var scrape = await PrometheusText.ScrapeAsync(gateway.Management);
        Assert.Equal(1, scrape.Sum(MetricNames.Minted, ("customer", customer.Id.ToString())));
        foreach (var probe in (string[])["/healthz", "/readyz"])
        {
            using var onPublic = await gateway.Http.GetAsync(probe);
            using var onManagement = await gateway.Management.GetAsync(probe);
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (onPublic.StatusCode, onManagement.StatusCode));
        }
        using (var api = await gateway.Management.GetAsync(TokenRequests.WidevinePath))
            Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);

        // SIGTERM: during the drain delay the management /readyz answers 503, as the public one does.
        var stopping = gateway.StopAsync();
        await gateway.Process.WaitForOutputAsync(HostOutput.ShuttingDown, TimeSpan.FromSeconds(30));
        using (var draining = await gateway.Management.GetAsync("/readyz"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, draining.StatusCode);
        Assert.True(await stopping);
    }
}
