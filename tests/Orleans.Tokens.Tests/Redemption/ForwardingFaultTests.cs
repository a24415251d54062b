using System.Net;
using System.Diagnostics;
using Orleans.Tokens.Tests.Contract;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8, forwarding gone wrong, and Clear Key off: an upstream that refuses the configured secret
/// answers 401, and that passes through as any upstream answer; an upstream that does not answer is the issuer's
/// failure, 500 -7008, and no stack trace; with Clear Key not enabled <c>/hms/ck/token</c> and <c>/hms/ck/rights</c>
/// are unknown paths (404, section 1).
/// </summary>
[Collection(ForwardingFaultCollection.Name)]
public sealed class ForwardingFaultTests(ForwardingFaultGateway gateway)
{
    [Fact]
    public async Task A_wrong_secret_gets_the_upstreams_401_passed_through()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.PlayReady);

        var response = await PostAsync(gateway, PlayReadyRights, token, "<challenge/>", "text/xml");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("wrong secret", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_upstream_that_is_down_is_500_7008_and_does_not_use_a_single_use_token_up()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine, ("singleUse", "true"));
        var clock = Stopwatch.StartNew();

        var first = await PostAsync(gateway, WidevineRights, token, "challenge", "application/octet-stream");

        var error = await ErrorAsync(first, HttpStatusCode.InternalServerError, -7008);
        Assert.DoesNotContain("   at ", error.Body);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        // Not used up: the next attempt reaches the (still absent) issuer again instead of being -4010 already used.
        await ErrorAsync(await PostAsync(gateway, WidevineRights, token, "challenge", "application/octet-stream"),
            HttpStatusCode.InternalServerError, -7008);
        var tokenId = TokenId(gateway, token);
        var records = await WaitForAsync(
            () => RecordsAsync(gateway, new Orleans.Tokens.Tests.Infrastructure.Params { { "customerAuthenticator", customer.Authenticator }, { "id", tokenId } }),
            r => r.Length >= 2);
        Assert.Equal(["failed", "failed"], records.Select(r => r.Outcome).ToArray());
    }

    [Fact]
    public async Task An_upstream_failure_is_json_when_the_rights_request_asks_for_json()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine);

        var response = await PostAsync(gateway, WidevineRights, token + "&errorFormat=json", "challenge", "application/octet-stream");

        // Section 8: an issuer's failure is 500 -7008, and with json {"errorCode":-7008,...}.
        var error = await ErrorAsync(response, HttpStatusCode.InternalServerError, -7008);
        Assert.Equal(Expect.Json, error.ContentType);
    }

    [Theory]
    [InlineData("/hms/ck/token")]
    [InlineData("/hms/ck/rights")]
    public async Task Clear_Key_endpoints_are_404_when_Clear_Key_is_not_enabled(string path)
    {
        var customer = await gateway.CreateCustomerAsync();

        var get = await gateway.GetAsync(path, Widevine(customer.Authenticator));
        await Expect.PlainRefusalAsync(get, 404);
        var post = await gateway.PostFormAsync(path, Widevine(customer.Authenticator));
        await Expect.PlainRefusalAsync(post, 404);
        Assert.Equal(100, await customer.ProductionBalanceAsync());
    }
}
