using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8, revocation: a token revoked by <c>admin token revoke</c>, tokens minted by an authenticator
/// before it was revoked, and tokens minted before the account was disabled are refused at redemption with
/// 400 -4010 <c>revoked</c>; tokens of other authenticators, and tokens minted after re-enabling, redeem. Redeemed
/// through the Widevine rights URL, which Clear Key serves here.
/// </summary>
[Collection(RedemptionCollection.Name)]
public sealed class RevocationTests(RedemptionGateway gateway)
{
    [Fact]
    public async Task A_revoked_token_is_refused_and_another_token_of_the_customer_still_redeems()
    {
        var customer = await gateway.CreateCustomerAsync();
        var revoked = await MintAsync(gateway, customer, Drm.Widevine);
        var kept = await MintAsync(gateway, customer, Drm.Widevine);
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, revoked));

        Assert.True(await customer.Grain.RevokeToken(TokenId(gateway, revoked)));

        await RefusedAsync(await ClearKeyAsync(gateway, WidevineRights, revoked), "revoked");
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, kept));
        Assert.False(await customer.Grain.RevokeToken(TokenId(gateway, revoked)));
        // Section 8: a bad token is not recorded as a license; the one license before the revocation stays.
        var records = await RecordsAsync(gateway, new Params { { "customerAuthenticator", customer.Authenticator }, { "id", TokenId(gateway, revoked) } });
        Assert.Single(records, r => r.Outcome == "issued");
    }

    [Fact]
    public async Task Tokens_of_a_revoked_authenticator_are_refused_and_those_of_another_authenticator_redeem()
    {
        var customer = await gateway.CreateCustomerAsync();
        var second = await customer.Grain.AddAuthenticator(TokenEnvironment.Production);
        var ofSecond = await MintAsync(gateway, second.Authenticator, Drm.Widevine);
        var ofFirst = await MintAsync(gateway, customer, Drm.Widevine);
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, ofSecond));

        await customer.Grain.RevokeAuthenticator(second.Id);

        await RefusedAsync(await ClearKeyAsync(gateway, WidevineRights, ofSecond), "revoked");
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, ofFirst));
        var afterRevoke = await MintAsync(gateway, customer, Drm.Widevine);
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, afterRevoke));
    }

    [Fact]
    public async Task Tokens_of_a_disabled_account_are_refused_and_stay_refused_after_it_is_enabled_again()
    {
        var customer = await gateway.CreateCustomerAsync();
        var before = await MintAsync(gateway, customer, Drm.Widevine);
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, before));

        await customer.Grain.SetEnabled(false);
        await RefusedAsync(await ClearKeyAsync(gateway, WidevineRights, before), "revoked");

        await customer.Grain.SetEnabled(true);
        await RefusedAsync(await ClearKeyAsync(gateway, WidevineRights, before), "revoked");
        var after = await MintAsync(gateway, customer, Drm.Widevine);
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, after));
    }

    [Fact]
    public async Task A_revoked_PlayReady_token_is_refused_before_the_forwarding_issuer_is_called()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.PlayReady);
        await customer.Grain.RevokeToken(TokenId(gateway, token));
        var challenge = "<challenge>" + Guid.NewGuid() + "</challenge>";

        await RefusedAsync(await PostAsync(gateway, PlayReadyRights, token, challenge, "text/xml"), "revoked");
        Assert.Null(gateway.Upstream.Find(challenge));
    }
}
