using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 1: "A parameter that may appear once (all but wvExtension) and appears more than once — twice in
/// the query, or once in the query and once in a POST body — is invalid with the code its table gives for a value
/// of the wrong form". Each request is otherwise valid (every optional parameter set once, section 4 and 5 values),
/// and the repeated value is the same valid value, so the repetition alone is at fault.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RepeatedParameterTests(GatewayFixture gateway)
{
    private const long Balance = 100;

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task FullRequest_EachParameterOnce_IsAccepted(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        await Expect.TokenAsync(drm, await gateway.MintAsync(drm, ValidRequests.Full(drm, customer)));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData(Drm.Widevine, "customerAuthenticator", -2018)]
    [InlineData(Drm.Widevine, "kid", -4022)]
    [InlineData(Drm.Widevine, "contentKey", -2005)]
    [InlineData(Drm.Widevine, "kek", -4024)]
    [InlineData(Drm.Widevine, "ek", -4024)]
    [InlineData(Drm.Widevine, "contentId", -6005)]
    [InlineData(Drm.Widevine, "generalFlags", -5003)]
    [InlineData(Drm.Widevine, "expirationTime", -2002)]
    [InlineData(Drm.Widevine, "cookie", -2033)]
    [InlineData(Drm.Widevine, "securityLevel", -7004)]
    [InlineData(Drm.Widevine, "hdcpOutputControl", -2008)]
    [InlineData(Drm.Widevine, "licenseDuration", -7007)]
    [InlineData(Drm.Widevine, "useHttps", -2035)]
    [InlineData(Drm.PlayReady, "customerAuthenticator", -2018)]
    [InlineData(Drm.PlayReady, "kid", -4022)]
    [InlineData(Drm.PlayReady, "contentKey", -2005)]
    [InlineData(Drm.PlayReady, "kek", -4024)]
    [InlineData(Drm.PlayReady, "ek", -4024)]
    [InlineData(Drm.PlayReady, "contentId", -6005)]
    [InlineData(Drm.PlayReady, "generalFlags", -5003)]
    [InlineData(Drm.PlayReady, "expirationTime", -2002)]
    [InlineData(Drm.PlayReady, "cookie", -2033)]
    [InlineData(Drm.PlayReady, "rightsType", -2021)]
    [InlineData(Drm.PlayReady, "rental.periodEndTime", -6007)]
    [InlineData(Drm.PlayReady, "rental.playDuration", -2025)]
    [InlineData(Drm.PlayReady, "analogVideoOPL", -2008)]
    [InlineData(Drm.PlayReady, "compressedDigitalAudioOPL", -2008)]
    [InlineData(Drm.PlayReady, "compressedDigitalVideoOPL", -2008)]
    [InlineData(Drm.PlayReady, "uncompressedDigitalAudioOPL", -2008)]
    [InlineData(Drm.PlayReady, "uncompressedDigitalVideoOPL", -2008)]
    [InlineData(Drm.PlayReady, "unknownOutputBehavior", -5001)]
    [InlineData(Drm.PlayReady, "outputControlFlags", -2040)]
    [InlineData(Drm.PlayReady, "extensionType", -2036)]
    [InlineData(Drm.PlayReady, "extensionPayload", -2037)]
    [InlineData(Drm.PlayReady, "deviceId", -5005)]
    [InlineData(Drm.PlayReady, "useHttps", -2035)]
    [InlineData(Drm.PlayReady, "algId", -9005)]
    public async Task TwiceInTheQuery(Drm drm, string name, int code)
    {
        var (customer, request) = await Arrange(drm, name);
        request.Append(name, request[name]!);
        await Expect.ErrorAsync(await gateway.MintAsync(drm, request), code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task ErrorFormat_TwiceInTheQuery_Is3004_AsHtml(Drm drm)
    {
        var (customer, request) = await Arrange(drm, "errorFormat");
        request.Append("errorFormat", "json");
        await Expect.HtmlErrorAsync(await gateway.MintAsync(drm, request), -3004);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData(Drm.Widevine, "kid", -4022)]
    [InlineData(Drm.Widevine, "contentKey", -2005)]
    [InlineData(Drm.Widevine, "securityLevel", -7004)]
    [InlineData(Drm.Widevine, "customerAuthenticator", -2018)]
    [InlineData(Drm.PlayReady, "kid", -4022)]
    [InlineData(Drm.PlayReady, "rightsType", -2021)]
    [InlineData(Drm.PlayReady, "deviceId", -5005)]
    public async Task OnceInTheQuery_OnceInThePostBody(Drm drm, string name, int code)
    {
        var (customer, form) = await Arrange(drm, name);
        var query = new Params { { name, form[name]! } };
        var response = await gateway.PostFormAsync(GatewayFixture.MintPath(drm), form, query);
        await Expect.ErrorAsync(response, code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Kid_TwiceInThePostBody_Is4022()
    {
        var (customer, form) = await Arrange(Drm.Widevine, "kid");
        form.Append("kid", form["kid"]!);
        await Expect.ErrorAsync(await gateway.PostFormAsync(GatewayFixture.WidevinePath, form), -4022);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Kid_TwiceWithDifferentValues_Is4022()
    {
        var (customer, request) = await Arrange(Drm.Widevine, "kid");
        request.Append("kid", "fedcba9876543210fedcba9876543210");
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -4022);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task WvExtension_Twice_IsNotARepetitionError()
    {
        var (customer, request) = await Arrange(Drm.Widevine, "wvExtension");
        request.Append("wvExtension", request["wvExtension"]!);
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, request));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task WvExtension_CountsQueryAndBodyTogether()
    {
        var (customer, form) = await Arrange(Drm.Widevine, "wvExtension");
        var twoInQuery = new Params { { "wvExtension", "qry1,AAAA" }, { "wvExtension", "qry2,AAAA" } };
        form.Append("wvExtension", "bod2,AAAA");
        var token = await Expect.WidevineTokenAsync(await gateway.PostFormAsync(GatewayFixture.WidevinePath, form, twoInQuery));
        Assert.Equal(4, gateway.OpenToken(token)?.Widevine?.Extensions.Length);

        form.Append("wvExtension", "bod3,AAAA");
        await Expect.ErrorAsync(await gateway.PostFormAsync(GatewayFixture.WidevinePath, form, twoInQuery), -7009);
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    private async Task<(TestCustomer Customer, Params Request)> Arrange(Drm drm, string name)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Full(drm, customer);
        if (name is "kek" or "ek") request.WithWrappedKey();
        return (customer, request);
    }
}
