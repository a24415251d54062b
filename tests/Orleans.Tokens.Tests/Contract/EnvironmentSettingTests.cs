using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 9a (<c>Tokens:Environment</c>, <c>Tokens:PublicBaseUrl</c> defaulting to the listening URL),
/// with sections 4 and 9: a gateway serves one environment, takes only that environment's authenticators, and a
/// mint debits that environment's balance by exactly one.
/// </summary>
[Collection(TestEnvironmentGatewayCollection.Name)]
public sealed class EnvironmentSettingTests(TestEnvironmentGatewayFixture gateway)
{
    [Fact]
    public async Task TestGateway_MintsWithTheTestAuthenticator_AndDebitsTheTestBalance()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10, testBalance: 5);
        var request = ValidRequests.Widevine(customer).Set("customerAuthenticator", customer.TestAuthenticator);
        var response = await gateway.MintAsync(Drm.Widevine, request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, await customer.TestBalanceAsync());
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task TestGateway_RefusesTheProductionAuthenticator_2018()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10, testBalance: 5);
        var request = ValidRequests.PlayReady(customer);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, request), -2018);
        Assert.Equal(5, await customer.TestBalanceAsync());
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task TestGateway_ZeroTestBalance_Is2019_WhateverTheProductionBalance()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10, testBalance: 0);
        var request = ValidRequests.Widevine(customer).Set("customerAuthenticator", customer.TestAuthenticator);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -2019);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task PublicBaseUrl_DefaultsToTheListeningUrl()
    {
        var customer = await gateway.CreateCustomerAsync(testBalance: 5);
        var listening = gateway.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);

        var widevine = ValidRequests.Widevine(customer).Set("customerAuthenticator", customer.TestAuthenticator);
        var wvBody = await (await gateway.MintAsync(Drm.Widevine, widevine)).Content.ReadAsStringAsync();
        Assert.Matches($"^{Regex(listening)}/hms/wv/rights/\\?ExpressPlayToken=[A-Za-z0-9_-]+$", wvBody);

        var playReady = ValidRequests.PlayReady(customer).Set("customerAuthenticator", customer.TestAuthenticator);
        var prBody = await (await gateway.MintAsync(Drm.PlayReady, playReady)).Content.ReadAsStringAsync();
        Assert.Matches($$"""^\{"licenseAcquisitionUrl":"{{Regex(listening)}}/hms/pr/rights","token":"[A-Za-z0-9_-]+"\}$""", prBody);
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
