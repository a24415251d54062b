using System.Net;
using System.Text;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8's first point: a rights request's token is found in the <c>ExpressPlayToken</c> query
/// parameter, else an <c>ExpressPlayToken</c> header, else (PlayReady) the SOAP challenge's <c>&lt;CustomData&gt;</c>
/// as <c>ExpressPlayToken=&lt;token&gt;</c> or bare; trailing whitespace, CR and LF (also percent-encoded) are
/// ignored. No license issuer is configured here, so a token found and verified is answered 501, and one missing or
/// bad is 400 -4010.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RightsTokenTests(GatewayFixture gateway)
{
    private const string WidevineRights = "/hms/wv/rights/";
    private const string PlayReadyRights = "/hms/pr/rights";

    [Theory]
    [InlineData("")]
    [InlineData("%0D%0A")]
    [InlineData("%0A")]
    [InlineData("%20%0D%0A")]
    public async Task A_token_in_the_query_is_found_with_trailing_line_ends_ignored(string trailing)
    {
        var token = await MintAsync(Drm.Widevine);

        await Verified(await Post(WidevineRights + $"?ExpressPlayToken={token}{trailing}"));
    }

    [Fact]
    public async Task A_token_in_the_header_is_found()
    {
        var token = await MintAsync(Drm.Widevine);

        await Verified(await Post(WidevineRights, headers: [("ExpressPlayToken", token + " ")]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_PlayReady_token_in_the_SOAP_CustomData_is_found_with_or_without_its_name(bool named)
    {
        var token = await MintAsync(Drm.PlayReady);
        var customData = named ? $"ExpressPlayToken={token}" : token;

        await Verified(await Post(PlayReadyRights, Soap($"<CustomData>{customData}\r\n</CustomData>")));
    }

    [Fact]
    public async Task A_Widevine_rights_request_does_not_read_a_SOAP_body()
    {
        var token = await MintAsync(Drm.Widevine);

        await Refused(await Post(WidevineRights, Soap($"<CustomData>{token}</CustomData>")), "missing");
    }

    [Fact]
    public async Task The_query_comes_before_the_header_and_the_header_before_the_SOAP_body()
    {
        var token = await MintAsync(Drm.PlayReady);

        await Refused(await Post(PlayReadyRights + "?ExpressPlayToken=bad", Soap($"<CustomData>{token}</CustomData>"), [("ExpressPlayToken", token)]), "malformed");
        await Refused(await Post(PlayReadyRights, Soap($"<CustomData>{token}</CustomData>"), [("ExpressPlayToken", "bad")]), "malformed");
    }

    [Theory]
    [InlineData("<Challenge><CustomData></CustomData></Challenge>")]
    [InlineData("<Challenge>not closed")]
    [InlineData("<!DOCTYPE x [<!ENTITY e \"ExpressPlayToken\">]><CustomData>&e;</CustomData>")]
    [InlineData("no XML at all")]
    public async Task A_SOAP_body_without_a_usable_CustomData_is_400_4010(string body)
    {
        var response = await Post(PlayReadyRights, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("-4010", await response.Content.ReadAsStringAsync());
    }

    private async Task<string> MintAsync(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 1);
        var request = drm == Drm.Widevine ? ValidRequests.Widevine(customer) : ValidRequests.PlayReady(customer);
        return await Expect.TokenAsync(drm, await gateway.MintAsync(drm, request));
    }

    private static string Soap(string customData) =>
        $"""<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><AcquireLicense xmlns="http://schemas.microsoft.com/DRM/2007/03/protocols"><challenge><Challenge><LA>{customData}</LA></Challenge></challenge></AcquireLicense></soap:Body></soap:Envelope>""";

    private Task<HttpResponseMessage> Post(string target, string? body = null, (string Name, string Value)[]? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target)
        {
            Content = new StringContent(body ?? "", Encoding.UTF8, "text/xml"),
        };
        foreach (var (name, value) in headers ?? []) request.Headers.TryAddWithoutValidation(name, value);
        return gateway.Client.SendAsync(request);
    }

    /// <summary>Found and verified: with no issuer configured, 501 (section 8).</summary>
    private static async Task Verified(HttpResponseMessage response) =>
        Assert.True(response.StatusCode == HttpStatusCode.NotImplemented,
            $"expected 501 for a verified token, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");

    private static async Task Refused(HttpResponseMessage response, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {body}");
        Assert.Contains("-4010", body);
        Assert.Contains(reason, body);
    }
}
