using System.Net;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Contract section 13 through the real admin tool and gateway: <c>customer create --fairplay false</c> refuses
/// FairPlay mints (-6009, nothing debited), <c>customer set --fairplay true</c> allows them, <c>customer show</c> says
/// which, and <c>usage</c> counts FairPlay tokens apart from the other DRMs'.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FairPlayOptionTests(ITestOutputHelper log)
{
    [Fact]
    public async Task The_FairPlay_option_is_set_by_the_admin_tool_and_FairPlay_tokens_are_counted_apart()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4300401, balance: 5, "--fairplay", "false");
        List<KeyValuePair<string, string>> mint =
        [
            new("customerAuthenticator", customer.Production), new("errorFormat", "json"),
            new("contentKey", TokenRequests.RandomHex(16)), new("iv", TokenRequests.RandomHex(16)),
        ];

        var refused = await TokenRequests.GetAsync(gateway.Http, TokenRequests.FairPlayPath, mint);
        Assert.Equal((HttpStatusCode.BadRequest, -6009), (refused.Status, refused.ErrorCode));
        Assert.False((await gateway.Admin.RunOkAsync("customer", "show", customer.Id.ToString())).GetProperty("fairplay").GetBoolean());
        Assert.Equal(5, await gateway.Admin.ProductionBalanceAsync(customer.Id));

        var set = await gateway.Admin.RunOkAsync("customer", "set", customer.Id.ToString(), "--fairplay", "true");
        Assert.True(set.GetProperty("fairplay").GetBoolean());
        var minted = await TokenRequests.GetAsync(gateway.Http, TokenRequests.FairPlayPath, mint);
        Assert.True(minted.Status == HttpStatusCode.OK, minted.ToString());
        Assert.StartsWith(new Uri(gateway.BaseUrl, "/hms/fp/rights/") + "?ExpressPlayToken=", minted.Body);

        var usage = await gateway.Admin.RunOkAsync("usage", customer.Id.ToString());
        var production = usage.GetProperty("total").GetProperty("production");
        Assert.Equal((1, 0, 0), (production.GetProperty("fairplay").GetInt64(), production.GetProperty("widevine").GetInt64(), production.GetProperty("playready").GetInt64()));
        Assert.Equal(4, await gateway.Admin.ProductionBalanceAsync(customer.Id));
    }

    /// <summary>Section 8: a redemption is logged with its token id and cookie, with the gateway's own settings (appsettings.json).</summary>
    [Fact]
    public async Task A_redemption_is_logged_with_its_cookie()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4300402, balance: 5);
        var minted = await TokenRequests.GetAsync(gateway.Http, TokenRequests.FairPlayPath,
        [
            new("customerAuthenticator", customer.Production), new("contentKey", TokenRequests.RandomHex(16)),
            new("iv", TokenRequests.RandomHex(16)), new("cookie", "session-4300402"),
        ]);
        var prefix = new Uri(gateway.BaseUrl, "/hms/fp/rights/") + "?ExpressPlayToken=";
        var token = minted.Body[prefix.Length..];
        var tokenId = gateway.LoadKeyRing().Open(token, DateTimeOffset.UtcNow, out _)!.TokenId;

        var redeemed = await gateway.Http.GetAsync(prefix + token);

        Assert.Equal(HttpStatusCode.NotImplemented, redeemed.StatusCode);
        await gateway.WaitForOutputAsync(new System.Text.RegularExpressions.Regex($"Redemption of token {tokenId} of customer {customer.Id}, cookie session-4300402"), TimeSpan.FromSeconds(10));
    }
}
