using System.Security.Cryptography;
using System.Text;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 6 (and sections 3 step 4, 4 and 9): the refusals that come from the account rather than the
/// request's form — -2018 (unknown, wrong secret, revoked, other environment; one text for all), -2031, -7011,
/// -5002, -4019, -2019 — and the key-storage lookup that succeeds. Each refusal debits nothing.
/// Not here: -4010 (redemption, section 8), -7008 and -2030 (faults and storage outages) are tested elsewhere.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AccountRefusalTests(GatewayFixture gateway)
{
    private const long Balance = 100;

    // ---- -2018: one status and one text, whatever the reason (no customer enumeration) ----

    [Fact]
    public async Task Authenticator_UnknownWrongRevokedOtherEnvironmentOrMalformed_AllLookTheSame()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance, testBalance: Balance);
        var rotated = await customer.Grain.AddAuthenticator(TokenEnvironment.Production);
        await customer.Grain.RevokeAuthenticator(rotated.Id);
        var cases = new Dictionary<string, string>
        {
            ["unknown customer"] = $"{GatewayFixture.NextCustomerId()},{new string('a', 32)}",
            ["wrong secret"] = $"{customer.Id},{new string('a', 32)}",
            ["revoked"] = rotated.Authenticator,
            ["other environment"] = customer.TestAuthenticator,
            ["malformed"] = $"{customer.Id},{new string('a', 31)}",
        };
        var texts = new Dictionary<string, string?>();
        foreach (var (reason, authenticator) in cases)
        {
            var request = ValidRequests.Widevine(customer).Set("customerAuthenticator", authenticator);
            var error = await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -2018);
            texts[reason] = error.Text;
        }
        Assert.True(texts.Values.Distinct().Count() == 1, "-2018 texts differ: " + string.Join(" | ", texts.Select(t => $"{t.Key}: {t.Value}")));
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
        Assert.Equal(Balance, await customer.TestBalanceAsync());
    }

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task Authenticator_OfTheTestEnvironment_Is2018_OnAProductionGateway(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance, testBalance: Balance);
        var request = ValidRequests.For(drm, customer).Set("customerAuthenticator", customer.TestAuthenticator);
        await Expect.ErrorAsync(await gateway.MintAsync(drm, request), -2018);
        Assert.Equal(Balance, await customer.TestBalanceAsync());
    }

    [Fact]
    public async Task Authenticator_Revoked_StopsAtOnce_WhileTheOtherStillWorks()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var added = await customer.Grain.AddAuthenticator(TokenEnvironment.Production);
        var withAdded = ValidRequests.Widevine(customer).Set("customerAuthenticator", added.Authenticator);
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, withAdded));
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)));

        await customer.Grain.RevokeAuthenticator(customer.Created.Production.Id);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)), -2018);
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, withAdded));
        Assert.Equal(Balance - 3, await customer.ProductionBalanceAsync());
    }

    // ---- -2031 ----

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task DisabledAccount_Is2031_UntilEnabledAgain(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        await customer.Grain.SetEnabled(false);
        await Expect.ErrorAsync(await gateway.MintAsync(drm, ValidRequests.For(drm, customer)), -2031);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
        await customer.Grain.SetEnabled(true);
        await Expect.TokenAsync(drm, await gateway.MintAsync(drm, ValidRequests.For(drm, customer)));
    }

    // ---- -7011 / -5002 ----

    [Fact]
    public async Task WidevineDisabled_Is7011_PlayReadyStillMints()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance, widevine: false);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)), -7011);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
        await Expect.PlayReadyTokenAsync(await gateway.MintAsync(Drm.PlayReady, ValidRequests.PlayReady(customer)));
    }

    [Fact]
    public async Task PlayReadyDisabled_Is5002_WidevineStillMints()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance, playReady: false);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, ValidRequests.PlayReady(customer)), -5002);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)));
    }

    [Fact]
    public async Task DrmOption_SwitchedOffLater_TakesEffect()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)));
        await customer.Grain.SetOptions(widevine: false, playReady: null);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)), -7011);
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    // ---- -4019 and key storage ----

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task KidNotInKeyStorage_Is4019(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        await customer.Grain.PutKey(Convert.FromHexString("ffffffffffffffffffffffffffffffff"), new byte[16]);
        var request = ValidRequests.For(drm, customer).Without("contentKey");
        await Expect.ErrorAsync(await gateway.MintAsync(drm, request), -4019);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task KidOfAnotherCustomersKeyStorage_Is4019()
    {
        var owner = await gateway.CreateCustomerAsync();
        await owner.Grain.PutKey(Convert.FromHexString(ValidRequests.Kid), Convert.FromHexString(ValidRequests.ContentKey));
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer).Without("contentKey");
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -4019);
    }

    [Theory]
    [InlineData(Drm.Widevine, "0123456789abcdef0123456789abcdef")]
    [InlineData(Drm.PlayReady, "0123456789ABCDEF0123456789ABCDEF")]
    [InlineData(Drm.Widevine, "^movie-42")]
    [InlineData(Drm.PlayReady, "^Le Fabuleux Destin d'Amélie Poulain")]
    public async Task KidInKeyStorage_IsAccepted_WithTheStoredKey(Drm drm, string kid)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var kidBytes = kid.StartsWith('^')
            ? SHA1.HashData(Encoding.UTF8.GetBytes(kid[1..]))[..16]
            : Convert.FromHexString(kid);
        var storedKey = RandomNumberGenerator.GetBytes(16);
        await customer.Grain.PutKey(kidBytes, storedKey);

        var request = ValidRequests.For(drm, customer).Without("contentKey").Set("kid", kid);
        var token = await Expect.TokenAsync(drm, await gateway.MintAsync(drm, request));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
        var payload = gateway.OpenToken(token);
        Assert.True(payload is not null, "the token does not open with the gateway's token keys");
        Assert.Equal(Convert.ToHexStringLower(kidBytes), payload.Kid.Hex(), ignoreCase: true);
        Assert.Equal(Convert.ToHexStringLower(storedKey), payload.ContentKey.Hex(), ignoreCase: true);
    }

    [Fact]
    public async Task KeyDeletedFromStorage_Is4019Again()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var kid = Convert.FromHexString(ValidRequests.Kid);
        await customer.Grain.PutKey(kid, RandomNumberGenerator.GetBytes(16));
        var request = ValidRequests.Widevine(customer).Without("contentKey");
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, request));
        Assert.True(await customer.Grain.DeleteKey(kid));
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -4019);
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task GivenContentKey_WinsOverTheStoredKey()
    {
        // Section 4: contentKey is "required unless ... the KID is in the customer's key storage"; when given, it is the key.
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        await customer.Grain.PutKey(Convert.FromHexString(ValidRequests.Kid), RandomNumberGenerator.GetBytes(16));
        var token = await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)));
        Assert.Equal(ValidRequests.ContentKey, gateway.OpenToken(token)?.ContentKey.Hex(), ignoreCase: true);
    }

    // ---- -2019 ----

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task ZeroBalance_Is2019_EvenWithATestBalance(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 0, testBalance: 50);
        await Expect.ErrorAsync(await gateway.MintAsync(drm, ValidRequests.For(drm, customer)), -2019);
        Assert.Equal(0, await customer.ProductionBalanceAsync());
        Assert.Equal(50, await customer.TestBalanceAsync());
    }

    [Fact]
    public async Task LastToken_IsMinted_ThenBalanceIsExhausted()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 1);
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)));
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)), -2019);
        Assert.Equal(0, await customer.ProductionBalanceAsync());
        await customer.Grain.Credit(TokenEnvironment.Production, 2);
        await Expect.PlayReadyTokenAsync(await gateway.MintAsync(Drm.PlayReady, ValidRequests.PlayReady(customer)));
        Assert.Equal(1, await customer.ProductionBalanceAsync());
    }
}
