using System.Net.Http.Headers;
using System.Text;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 1, how parameters are read: GET query, POST form body plus query, a non-form POST body read as
/// no parameters, names case-sensitive, unknown names ignored, an empty value the same as an absent parameter.
/// (Repeated parameters: <see cref="RepeatedParameterTests"/>.)
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RequestParsingTests(GatewayFixture gateway)
{
    private const long Balance = 100;

    // ---- empty value = absent ----

    [Theory]
    [InlineData(Drm.Widevine, "customerAuthenticator", -2017)]
    [InlineData(Drm.Widevine, "kid", -4018)]
    [InlineData(Drm.Widevine, "contentKey", -4019)]
    [InlineData(Drm.Widevine, "securityLevel", -7003)]
    [InlineData(Drm.Widevine, "hdcpOutputControl", -7006)]
    [InlineData(Drm.PlayReady, "kid", -4018)]
    [InlineData(Drm.PlayReady, "rightsType", -2020)]
    [InlineData(Drm.PlayReady, "analogVideoOPL", -5006)]
    public async Task EmptyRequiredValue_IsAbsent(Drm drm, string name, int code)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.For(drm, customer).Set(name, "");
        await Expect.ErrorAsync(await gateway.MintAsync(drm, request), code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData(Drm.Widevine, "contentId")]
    [InlineData(Drm.Widevine, "generalFlags")]
    [InlineData(Drm.Widevine, "expirationTime")]
    [InlineData(Drm.Widevine, "cookie")]
    [InlineData(Drm.Widevine, "licenseDuration")]
    [InlineData(Drm.Widevine, "wvExtension")]
    [InlineData(Drm.Widevine, "deviceId")]
    [InlineData(Drm.Widevine, "kek")]
    [InlineData(Drm.PlayReady, "rental.periodEndTime")]
    [InlineData(Drm.PlayReady, "rental.playDuration")]
    [InlineData(Drm.PlayReady, "unknownOutputBehavior")]
    [InlineData(Drm.PlayReady, "outputControlFlags")]
    [InlineData(Drm.PlayReady, "extensionType")]
    [InlineData(Drm.PlayReady, "deviceId")]
    public async Task EmptyOptionalValue_IsAbsent(Drm drm, string name)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.For(drm, customer).Set(name, "");
        await Expect.TokenAsync(drm, await gateway.MintAsync(drm, request));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task EmptyKek_WithEk_IsEkWithoutKek_2035()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer).WithWrappedKey().Set("kek", "");
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -2035);
    }

    [Fact]
    public async Task EmptyErrorFormat_IsTheHtmlDefault()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer).Set("errorFormat", "").Without("kid");
        await Expect.HtmlErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -4018);
    }

    [Fact]
    public async Task EmptyKid_BesideAValidKid_IsNotARepetition()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer).Without("kid").Append("kid", "").Append("kid", ValidRequests.Kid);
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, request));
    }

    // ---- names are case-sensitive ----

    [Theory]
    [InlineData(Drm.Widevine, "kid", "KID", -4018)]
    [InlineData(Drm.Widevine, "kid", "Kid", -4018)]
    [InlineData(Drm.Widevine, "customerAuthenticator", "CustomerAuthenticator", -2017)]
    [InlineData(Drm.Widevine, "customerAuthenticator", "customerauthenticator", -2017)]
    [InlineData(Drm.Widevine, "securityLevel", "SecurityLevel", -7003)]
    [InlineData(Drm.PlayReady, "rightsType", "RightsType", -2020)]
    [InlineData(Drm.PlayReady, "analogVideoOPL", "analogVideoOpl", -5006)]
    public async Task ParameterName_InAnotherCase_IsNotThatParameter(Drm drm, string name, string otherCase, int code)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.For(drm, customer);
        var value = request[name]!;
        request.Without(name).Set(otherCase, value);
        await Expect.ErrorAsync(await gateway.MintAsync(drm, request), code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task ErrorFormatInAnotherCase_IsIgnored()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var valid = ValidRequests.Widevine(customer).Without("errorFormat").Set("ErrorFormat", "xml");
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, valid));
        var missingKid = ValidRequests.Widevine(customer).Without("errorFormat").Set("errorformat", "json").Without("kid");
        await Expect.HtmlErrorAsync(await gateway.MintAsync(Drm.Widevine, missingKid), -4018);
    }

    [Fact]
    public async Task DeviceIdInAnotherCase_IsIgnoredByWidevine()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer).Set("DeviceId", "00112233445566778899aabbccddeeff");
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, request));
    }

    // ---- unknown parameters are ignored ----

    [Theory]
    [InlineData(Drm.Widevine, "foo", "bar")]
    [InlineData(Drm.Widevine, "kidd", "zz")]
    [InlineData(Drm.Widevine, "rightsType", "Nonsense")]
    [InlineData(Drm.Widevine, "analogVideoOPL", "5000")]
    [InlineData(Drm.Widevine, "ExpressPlayToken", "x")]
    [InlineData(Drm.PlayReady, "foo", "bar")]
    [InlineData(Drm.PlayReady, "securityLevel", "99")]
    [InlineData(Drm.PlayReady, "hdcpOutputControl", "x")]
    [InlineData(Drm.PlayReady, "wvExtension", "nocomma")]
    [InlineData(Drm.PlayReady, "licenseDuration", "-1")]
    public async Task UnknownParameter_IsIgnored(Drm drm, string name, string value)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.For(drm, customer).Append(name, value).Append(name, value);
        await Expect.TokenAsync(drm, await gateway.MintAsync(drm, request));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    // ---- POST ----

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task Post_FormBody_IsAccepted(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var response = await gateway.PostFormAsync(GatewayFixture.MintPath(drm), ValidRequests.Full(drm, customer));
        await Expect.TokenAsync(drm, response);
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task Post_QueryParametersAreReadToo(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var form = ValidRequests.For(drm, customer);
        var query = new Params { { "customerAuthenticator", form["customerAuthenticator"]! }, { "kid", form["kid"]! } };
        form.Without("customerAuthenticator").Without("kid");
        await Expect.TokenAsync(drm, await gateway.PostFormAsync(GatewayFixture.MintPath(drm), form, query));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Post_QueryOnly_WithoutBody_IsAccepted()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var query = ValidRequests.Widevine(customer);
        var response = await gateway.Client.PostAsync(GatewayFixture.WidevinePath + "?" + query.ToQueryString(), null);
        await Expect.WidevineTokenAsync(response);
    }

    [Fact]
    public async Task Post_FormBodyWithCharset_IsAccepted()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var content = new StringContent(ValidRequests.Widevine(customer).ToQueryString(), Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
        await Expect.WidevineTokenAsync(await gateway.Client.PostAsync(GatewayFixture.WidevinePath, content));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/octet-stream")]
    public async Task Post_NonFormBody_HasNoParameters(string mediaType)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer);
        // The body holds a complete, form-encoded request; only its Content-Type says it is not a form.
        var content = new StringContent(request.ToQueryString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        var response = await gateway.Client.PostAsync(GatewayFixture.WidevinePath + "?errorFormat=json", content);
        await Expect.ErrorAsync(response, -2017);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Post_BodyWithoutContentType_HasNoParameters()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(ValidRequests.Widevine(customer).ToQueryString()));
        Assert.Null(content.Headers.ContentType);
        var response = await gateway.Client.PostAsync(GatewayFixture.WidevinePath + "?errorFormat=json", content);
        await Expect.ErrorAsync(response, -2017);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Get_TakesTheQueryOnly_NotAFormBody()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var query = ValidRequests.Widevine(customer).Without("kid");
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayFixture.WidevinePath + "?" + query.ToQueryString())
        {
            Content = new Params { { "kid", ValidRequests.Kid } }.ToForm(),
        };
        await Expect.ErrorAsync(await gateway.Client.SendAsync(request), -4018);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Post_JsonBody_IsIgnored_QueryStillRead()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var query = ValidRequests.Widevine(customer).Without("kid");
        var content = new StringContent($$"""{"kid":"{{ValidRequests.Kid}}"}""", Encoding.UTF8, "application/json");
        var missingKid = await gateway.Client.PostAsync(GatewayFixture.WidevinePath + "?" + query.ToQueryString(), content);
        await Expect.ErrorAsync(missingKid, -4018);

        var complete = ValidRequests.Widevine(customer);
        var junk = new StringContent("{not json at all", Encoding.UTF8, "application/json");
        await Expect.WidevineTokenAsync(await gateway.Client.PostAsync(GatewayFixture.WidevinePath + "?" + complete.ToQueryString(), junk));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }
}
