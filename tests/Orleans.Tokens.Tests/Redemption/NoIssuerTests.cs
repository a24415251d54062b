using System.Net;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8, no issuer for a DRM (the shared gateway configures none): 501 <c>text/plain</c>, but only
/// after the token was verified, so a revoked token is still 400 -4010 <c>revoked</c>; and a 501 is a license not
/// issued, which does not use a single-use token up.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class NoIssuerRedemptionTests(GatewayFixture gateway)
{
    [Fact]
    public async Task A_revoked_token_is_400_4010_revoked_before_the_missing_issuer_is_501()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine);
        var response = await ClearKeyAsync(gateway, WidevineRights, token);
        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);

        await customer.Grain.RevokeToken(TokenId(gateway, token));

        await RefusedAsync(await ClearKeyAsync(gateway, WidevineRights, token), "revoked");
    }

    [Fact]
    public async Task A_single_use_token_answered_501_is_not_used_up()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.PlayReady, ("singleUse", "true"));

        for (var i = 0; i < 3; i++)
        {
            var response = await PostAsync(gateway, PlayReadyRights, token, "<challenge/>", "text/xml");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotImplemented, $"attempt {i}: expected 501, got {(int)response.StatusCode}: {body}");
        }
    }
}
