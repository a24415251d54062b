using System.Net;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Requests;

/// <summary>
/// Issue 13: no <see cref="System.Diagnostics.Activity"/> per request where nothing listens. ASP.NET Core's hosting
/// starts one for every request while its <c>Microsoft.AspNetCore.Hosting.Diagnostics</c> logger is enabled at any
/// level (for the request log's scope), which <c>Microsoft.AspNetCore: Warning</c> alone would leave on; the
/// gateway turns that logger off unless a setting names it, and registers no tracing listener.
/// </summary>
public sealed class RequestActivityTests(RequestActivityGateway gateway) : IClassFixture<RequestActivityGateway>
{
    [Fact]
    public async Task Neither_a_bare_request_nor_a_mint_runs_in_an_activity()
    {
        var customer = await gateway.CreateCustomerAsync();
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer))).StatusCode);

        Assert.False(gateway.InActivity["/healthz"], "/healthz ran in an Activity");
        Assert.False(gateway.InActivity[GatewayFixture.WidevinePath], "a mint ran in an Activity");
    }
}
