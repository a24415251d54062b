using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 3: one request gets one error, the first that applies — errorFormat, then the authenticator's
/// presence and form, then every other parameter in table order (section 4, then section 5), then the account in
/// one grain call (-2018, -2031, -7011/-5002, -4019, -2019). A request that fails never consumes a token.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class OrderOfChecksTests(GatewayFixture gateway)
{
    private const long Balance = 100;

    // ---- 1. errorFormat first ----

    [Fact]
    public async Task ErrorFormat_BeforeEverything()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = new Params { { "errorFormat", "xml" }, { "kid", "zz" }, { "securityLevel", "9" } };
        await Expect.HtmlErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -3004);
        request.Set("customerAuthenticator", "not-an-authenticator");
        await Expect.HtmlErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -3004);
        var disabled = ValidRequests.Widevine(customer).Set("errorFormat", "xml");
        await customer.Grain.SetEnabled(false);
        await Expect.HtmlErrorAsync(await gateway.MintAsync(Drm.Widevine, disabled), -3004);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    // ---- 2. the authenticator before the other parameters ----

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task MissingAuthenticator_BeforeOtherParameters(Drm drm)
    {
        var request = new Params { { "errorFormat", "json" }, { "kid", "zz" }, { "contentKey", "zz" }, { "cookie", new string('c', 40) } };
        await Expect.ErrorAsync(await gateway.MintAsync(drm, request), -2017);
    }

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task MalformedAuthenticator_BeforeOtherParameters(Drm drm)
    {
        var request = new Params { { "errorFormat", "json" }, { "customerAuthenticator", "0123,xyz" }, { "kid", "zz" } };
        await Expect.ErrorAsync(await gateway.MintAsync(drm, request), -2018);
    }

    // ---- 3. syntax (no grain call) before the account ----

    [Fact]
    public async Task UnknownCustomer_WithAMalformedParameter_GetsTheParameterError()
    {
        var unknown = $"{GatewayFixture.NextCustomerId()},{new string('a', 32)}";
        var request = new Params { { "errorFormat", "json" }, { "customerAuthenticator", unknown }, { "kid", "zz" } };
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -4022);
    }

    [Fact]
    public async Task DisabledAccount_WithAMalformedParameter_GetsTheParameterError()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        await customer.Grain.SetEnabled(false);
        var request = ValidRequests.Widevine(customer).Set("contentId", "café");
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -6005);
    }

    [Fact]
    public async Task KidNotInStorage_WithAMalformedLaterParameter_GetsTheParameterError()
    {
        // The "(no key given)" row sits between ek and contentId, but the lookup is an account check (step 4).
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer).Without("contentKey").Set("cookie", new string('c', 33));
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -2033);
    }

    // ---- table order: the first failing row wins (each pair: the earlier row is broken, and a later one) ----

    [Theory]
    [InlineData("kid", "", "contentKey", "zz", -4018)]
    [InlineData("kid", "zz", "contentKey", "zz", -4022)]
    [InlineData("contentKey", "zz", "contentId", "café", -2005)]
    [InlineData("contentKey", "abcd", "expirationTime", "never", -2027)]
    [InlineData("contentId", "café", "generalFlags", "zz", -6005)]
    [InlineData("generalFlags", "zz", "expirationTime", "never", -5003)]
    [InlineData("expirationTime", "never", "cookie", "{c*33}", -2002)]
    [InlineData("cookie", "{c*33}", "securityLevel", "", -2033)]
    [InlineData("securityLevel", "", "hdcpOutputControl", "", -7003)]
    [InlineData("securityLevel", "9", "hdcpOutputControl", "x", -7004)]
    [InlineData("hdcpOutputControl", "x", "licenseDuration", "0", -2008)]
    [InlineData("hdcpOutputControl", "7", "licenseDuration", "0", -2034)]
    [InlineData("licenseDuration", "0", "wvExtension", "nocomma", -7007)]
    [InlineData("wvExtension", "abc,AAAA", "deviceId", "00112233445566778899aabbccddeeff", -2036)]
    public async Task Widevine_TableOrder(string first, string firstValue, string second, string secondValue, int code)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer)
            .Set(first, RowValues.Resolve(firstValue)).Set(second, RowValues.Resolve(secondValue));
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData("cookie", "{c*33}", "rightsType", "", -2033)]
    [InlineData("rightsType", "", "analogVideoOPL", "", -2020)]
    [InlineData("rightsType", "Lease", "analogVideoOPL", "x", -2021)]
    [InlineData("rental.playDuration", "3600", "analogVideoOPL", "", -2025)]
    [InlineData("analogVideoOPL", "", "unknownOutputBehavior", "Never", -5006)]
    [InlineData("uncompressedDigitalVideoOPL", "1000", "unknownOutputBehavior", "Never", -2034)]
    [InlineData("unknownOutputBehavior", "Never", "outputControlFlags", "1", -5001)]
    [InlineData("outputControlFlags", "1", "extensionType", "abcd", -2040)]
    [InlineData("extensionPayload", "@@@@", "deviceId", "zz", -2035)]
    public async Task PlayReady_TableOrder(string first, string firstValue, string second, string secondValue, int code)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.PlayReady(customer)
            .Set(first, RowValues.Resolve(firstValue)).Set(second, RowValues.Resolve(secondValue));
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, request), code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task PlayReady_Rental_PeriodEndTime_ThenPlayDuration_ThenPersistence_ThenOpls()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var rental = ValidRequests.PlayReadyRental(customer).Without("generalFlags").Without("analogVideoOPL");
        var missingEnd = rental.Clone().Without("rental.periodEndTime").Set("rental.playDuration", "0");
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, missingEnd), -2022);
        var badDuration = rental.Clone().Set("rental.playDuration", "0");
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, badDuration), -2025);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, rental), -5003);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task CommonTableBeforeDrmTable()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var widevine = ValidRequests.Widevine(customer).Without("securityLevel").Set("cookie", new string('c', 33));
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, widevine), -2033);
        var playReady = ValidRequests.PlayReady(customer).Without("rightsType").Set("expirationTime", "+0");
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, playReady), -2002);
    }

    // ---- within a parameter or a pair: presence and exclusion (-5007, then -2035) before the form ----

    [Theory]
    [InlineData("{z*32}", null, -5007)]                                       // kek (not hex) + contentKey
    [InlineData(ValidRequests.Kek128, "zz", -5007)]                           // kek + bad ek + contentKey
    [InlineData("{0*10}", "zz", -5007)]                                       // bad kek + bad ek + contentKey
    public async Task KekWithContentKey_Is5007_BeforeTheFormOfKekOrEk(string kek, string? ek, int code)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer).Set("kek", RowValues.Resolve(kek));
        if (ek is not null) request.Set("ek", ek);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), code);
    }

    [Theory]
    [InlineData("kek", "zz")]
    [InlineData("kek", "{0*10}")]
    [InlineData("ek", "zz")]
    [InlineData("ek", "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE4")]
    public async Task KekOrEkAlone_Is2035_BeforeItsForm(string name, string value)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer).Without("contentKey").Set(name, RowValues.Resolve(value));
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -2035);
    }

    [Theory]
    [InlineData("extensionType", "abc")]
    [InlineData("extensionPayload", "@@@@")]
    public async Task ExtensionTypeOrPayloadAlone_Is2035_BeforeItsForm(string name, string value)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.PlayReady(customer).Set(name, value);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, request), -2035);
    }

    // ---- not hex beats wrong length ----

    [Theory]
    [InlineData(Drm.Widevine, "kid", "zz", -4022)]
    [InlineData(Drm.Widevine, "kid", "abcd", -4020)]
    [InlineData(Drm.Widevine, "kid", "{z*31}", -4022)]
    [InlineData(Drm.Widevine, "kid", "{z*40}", -4022)]
    [InlineData(Drm.Widevine, "contentKey", "zz", -2005)]
    [InlineData(Drm.Widevine, "contentKey", "abcd", -2027)]
    [InlineData(Drm.Widevine, "contentKey", "{x*40}", -2005)]
    [InlineData(Drm.PlayReady, "deviceId", "zzz", -5005)]
    [InlineData(Drm.PlayReady, "deviceId", "abcd", -5004)]
    [InlineData(Drm.PlayReady, "deviceId", "{q*40}", -5005)]
    public async Task NotHex_BeatsWrongLength(Drm drm, string name, string value, int code)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.For(drm, customer).Set(name, RowValues.Resolve(value));
        await Expect.ErrorAsync(await gateway.MintAsync(drm, request), code);
    }

    // ---- 4. the account checks, in order ----

    [Fact]
    public async Task Account_OtherEnvironmentAuthenticator_BeforeDisabled()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance, widevine: false);
        await customer.Grain.SetEnabled(false);
        var request = ValidRequests.Widevine(customer).Set("customerAuthenticator", customer.TestAuthenticator);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -2018);
    }

    [Fact]
    public async Task Account_Disabled_BeforeDrmOption()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 0, widevine: false, playReady: false);
        await customer.Grain.SetEnabled(false);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)), -2031);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, ValidRequests.PlayReady(customer)), -2031);
    }

    [Fact]
    public async Task Account_DrmOption_BeforeKeyStorage()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 0, widevine: false, playReady: false);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer).Without("contentKey")), -7011);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, ValidRequests.PlayReady(customer).Without("contentKey")), -5002);
    }

    [Fact]
    public async Task Account_KeyStorage_BeforeBalance()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 0);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer).Without("contentKey")), -4019);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)), -2019);
    }

    // ---- a failed request never consumes a token ----

    [Fact]
    public async Task FailedRequests_DebitNothing_ThenOneSuccessDebitsOne()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 5, testBalance: 7);
        var valid = ValidRequests.Widevine(customer);
        await Expect.HtmlErrorAsync(await gateway.MintAsync(Drm.Widevine, valid.Clone().Set("errorFormat", "xml")), -3004);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, valid.Clone().Set("kid", "zz")), -4022);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, valid.Clone().Set("customerAuthenticator", customer.TestAuthenticator)), -2018);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, valid.Clone().Without("contentKey")), -4019);
        await customer.Grain.SetOptions(widevine: false, playReady: null);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, valid), -7011);
        await customer.Grain.SetOptions(widevine: true, playReady: null);
        await customer.Grain.SetEnabled(false);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, valid), -2031);
        await customer.Grain.SetEnabled(true);
        Assert.Equal(5, await customer.ProductionBalanceAsync());

        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, valid));
        Assert.Equal(4, await customer.ProductionBalanceAsync());
        Assert.Equal(7, await customer.TestBalanceAsync());
    }
}
