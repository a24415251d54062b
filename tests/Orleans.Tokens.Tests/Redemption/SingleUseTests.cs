using System.Net;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8, single-use: <c>singleUse=true</c> gives a token that yields one license (a second redemption
/// is 400 -4010 <c>already used</c>, also under 50 redemptions at once); a redemption whose license could not be
/// issued (a challenge the issuer cannot parse, an upstream refusal or failure) does not use it up; without
/// <c>singleUse</c> (the default) or with <c>false</c> a token redeems again and again. The contract gives
/// <c>singleUse</c> no form or code of its own: it is read as section 14's other flag, <c>useHttps</c> (true or false
/// in any case, 1 or 0; else -2035), a decision the README gives.
/// </summary>
[Collection(RedemptionCollection.Name)]
public sealed class SingleUseTests(RedemptionGateway gateway)
{
    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task A_single_use_token_yields_one_license(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, drm, ("singleUse", "true"));

        await IssuedAsync(await RedeemAsync(drm, token));
        await RefusedAsync(await RedeemAsync(drm, token), "already used");
        await RefusedAsync(await RedeemAsync(drm, token), "already used");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("FALSE")]
    [InlineData("0")]
    public async Task A_token_that_is_not_single_use_redeems_many_times(string? singleUse)
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = singleUse is null
            ? await MintAsync(gateway, customer, Drm.Widevine)
            : await MintAsync(gateway, customer, Drm.Widevine, ("singleUse", singleUse));

        for (var i = 0; i < 5; i++) await IssuedAsync(await RedeemAsync(Drm.Widevine, token));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("TRUE ")]
    [InlineData("2")]
    public async Task A_singleUse_value_other_than_true_or_false_is_refused_at_mint(string value)
    {
        var customer = await gateway.CreateCustomerAsync();
        var before = await customer.ProductionBalanceAsync();

        var response = await gateway.MintAsync(Drm.Widevine, Widevine(customer.Authenticator).Set("singleUse", value));

        await ErrorAsync(response, HttpStatusCode.BadRequest, -2035);
        Assert.Equal(before, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData("True")]
    [InlineData("1")]
    public async Task A_singleUse_true_in_another_case_or_as_1_is_single_use(string value)
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine, ("singleUse", value));

        await IssuedAsync(await RedeemAsync(Drm.Widevine, token));
        await RefusedAsync(await RedeemAsync(Drm.Widevine, token), "already used");
    }

    [Fact]
    public async Task A_Clear_Key_challenge_that_does_not_parse_does_not_use_the_token_up()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine, ("singleUse", "true"));

        await ErrorAsync(await ClearKeyAsync(gateway, WidevineRights, token, "{not json"), HttpStatusCode.BadRequest, -7008);

        await IssuedAsync(await RedeemAsync(Drm.Widevine, token));
        await RefusedAsync(await RedeemAsync(Drm.Widevine, token), "already used");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(403)]
    public async Task A_forwarded_redemption_the_upstream_did_not_license_does_not_use_the_token_up(int status)
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.PlayReady, ("singleUse", "true"));
        var refused = "<challenge>" + Guid.NewGuid() + "</challenge>";
        gateway.Upstream.Script(refused, status, "text/plain", "no license");

        var first = await PostAsync(gateway, PlayReadyRights, token, refused, "text/xml");
        Assert.Equal(status, (int)first.StatusCode);

        await IssuedAsync(await RedeemAsync(Drm.PlayReady, token));
        await RefusedAsync(await RedeemAsync(Drm.PlayReady, token), "already used");
    }

    [Fact]
    public async Task Fifty_redemptions_of_one_single_use_token_at_once_give_exactly_one_license()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine, ("singleUse", "true"));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, 50).Select(async _ =>
        {
            await start.Task;
            return await ClearKeyAsync(gateway, WidevineRights, token);
        }).ToArray();
        start.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            await RefusedAsync(response, "already used");
        var tokenId = TokenId(gateway, token);
        var records = await WaitForAsync(
            () => RecordsAsync(gateway, new Params { { "customerAuthenticator", customer.Authenticator }, { "id", tokenId } }),
            r => r.Length >= 1);
        Assert.Single(records, r => r.Outcome == "issued");
    }

    private Task<HttpResponseMessage> RedeemAsync(Drm drm, string token) => drm == Drm.Widevine
        ? ClearKeyAsync(gateway, WidevineRights, token)
        : PostAsync(gateway, PlayReadyRights, token, "<challenge>" + Guid.NewGuid() + "</challenge>", "text/xml");
}
