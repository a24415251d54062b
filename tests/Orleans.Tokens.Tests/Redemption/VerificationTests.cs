using System.Diagnostics;
using System.Net;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8, verification before the issuer and the issuer's failure: an expired token is -4010
/// <c>expired</c>, a token at another DRM's rights URL -4010 <c>wrong DRM</c>, neither reaching the issuer; an
/// upstream that answers too late is the issuer's failure (500 -7008), recorded <c>failed</c>, and does not use a
/// single-use token up.
/// </summary>
[Collection(RedemptionCollection.Name)]
public sealed class VerificationTests(RedemptionGateway gateway)
{
    [Fact]
    public async Task An_expired_token_is_400_4010_expired()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine, ("expirationTime", "+1"));
        var expires = gateway.OpenToken(token)!.ExpiresAt;

        var response = await WaitForAsync(
            async () => (Now: DateTimeOffset.UtcNow, Response: await ClearKeyAsync(gateway, WidevineRights, token)),
            r => r.Now > expires.AddMilliseconds(500));

        Assert.True(response.Now > expires, "the token did not expire within the wait");
        await RefusedAsync(response.Response, "expired");
    }

    [Fact]
    public async Task A_bad_token_is_a_section_2_error_html_by_default_and_json_when_asked()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine, ("singleUse", "true"));
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, token));

        var html = await Expect.HtmlErrorAsync(await ClearKeyAsync(gateway, WidevineRights, token), -4010);
        Assert.Contains("already used", html.Text);
        // Section 6's table shows no details for -4010, but section 8 gives it details: "Invalid token: already used".
        var json = await ErrorAsync(await ClearKeyAsync(gateway, WidevineRights, token + "&errorFormat=json"), HttpStatusCode.BadRequest, -4010);
        Assert.Equal(Expect.Json, json.ContentType);
        Assert.Equal("Invalid token: already used", json.Text);
    }

    [Fact]
    public async Task A_token_at_another_DRMs_rights_URL_is_400_4010_wrong_DRM_and_reaches_no_issuer()
    {
        var customer = await gateway.CreateCustomerAsync();
        var widevine = await MintAsync(gateway, customer, Drm.Widevine);
        var playReady = await MintAsync(gateway, customer, Drm.PlayReady);
        var challenge = "<challenge>" + Guid.NewGuid() + "</challenge>";

        await RefusedAsync(await PostAsync(gateway, PlayReadyRights, widevine, challenge, "text/xml"), "wrong DRM");
        await RefusedAsync(await ClearKeyAsync(gateway, WidevineRights, playReady), "wrong DRM");

        Assert.Null(gateway.Upstream.Find(challenge));
    }

    [Fact]
    public async Task An_upstream_slower_than_the_timeout_is_500_7008_recorded_failed_and_leaves_a_single_use_token_usable()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.PlayReady, ("singleUse", "true"));
        var slow = "<challenge>" + Guid.NewGuid() + "</challenge>";
        gateway.Upstream.Script(slow, 200, "text/plain", "late license", TimeSpan.FromSeconds(20));
        var clock = Stopwatch.StartNew();

        var late = await PostAsync(gateway, PlayReadyRights, token, slow, "text/xml");

        await ErrorAsync(late, HttpStatusCode.InternalServerError, -7008);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"answered after {clock.Elapsed}; Issuers:Forwarding:TimeoutSeconds is 5");
        await IssuedAsync(await PostAsync(gateway, PlayReadyRights, token, "<challenge>ok</challenge>", "text/xml"));
        var tokenId = TokenId(gateway, token);
        var records = await WaitForAsync(() => RecordsAsync(gateway, new Params { { "customerAuthenticator", customer.Authenticator }, { "id", tokenId } }),
            r => r.Length >= 2);
        Assert.Equal(["issued", "failed"], records.Select(r => r.Outcome).ToArray());
    }
}
