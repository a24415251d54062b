using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Tokens.Tests.Contract;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8, the Forwarding issuer (PlayReady here): the service POSTs
/// <c>{"drm","challenge":"&lt;base64 of the challenge&gt;","policy":{…the verified token payload…}}</c> with the
/// configured bearer secret to the upstream (<see cref="FakeLicenseServer"/> checks both), and answers the player with
/// the upstream's status, content type and body, whatever they are.
/// </summary>
[Collection(RedemptionCollection.Name)]
public sealed class ForwardingTests(RedemptionGateway gateway)
{
    [Fact]
    public async Task The_upstream_gets_the_challenge_and_the_verified_policy_and_its_license_is_answered()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.PlayReady, ("cookie", "fwd-cookie"), ("contentId", "movie-7"));
        var challenge = "<challenge>" + Guid.NewGuid() + "</challenge>";

        var response = await PostAsync(gateway, PlayReadyRights, token, challenge, "text/xml");

        await IssuedAsync(response);
        Assert.Equal(FakeLicenseServer.DefaultContentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal(FakeLicenseServer.DefaultBody, await response.Content.ReadAsStringAsync());
        var seen = gateway.Upstream.Find(challenge);
        Assert.NotNull(seen);
        Assert.Equal(challenge, Encoding.UTF8.GetString(seen.Challenge));
        Assert.Contains("playready", seen.Drm, StringComparison.OrdinalIgnoreCase);
        using var policy = JsonDocument.Parse(seen.PolicyJson);
        var text = seen.PolicyJson;
        Assert.Contains(TokenId(gateway, token), text);
        Assert.Contains(ValidRequests.Kid, text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(ValidRequests.ContentKey, text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("fwd-cookie", text);
        Assert.Contains("movie-7", text);
        Assert.Contains(customer.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), text);
        Assert.DoesNotContain(customer.Authenticator.Split(',')[1], text);
    }

    [Theory]
    [InlineData(200, "application/vnd.ms-playready.license+xml", "<license>ok</license>")]
    [InlineData(403, "text/plain; charset=utf-8", "device not allowed")]
    [InlineData(500, "application/json", "{\"upstream\":\"broke\"}")]
    [InlineData(451, "text/html", "<p>not here</p>")]
    public async Task The_upstreams_status_content_type_and_body_pass_through(int status, string contentType, string body)
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.PlayReady);
        var challenge = "<challenge>" + Guid.NewGuid() + "</challenge>";
        gateway.Upstream.Script(challenge, status, contentType, body);

        var response = await PostAsync(gateway, PlayReadyRights, token, challenge, "text/xml");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.NotNull(gateway.Upstream.Find(challenge));
    }

    [Fact]
    public async Task A_binary_challenge_reaches_the_upstream_byte_for_byte()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.PlayReady);
        var challenge = new byte[] { 0, 1, 2, 0xff, 0xfe, 0x80, 0x0d, 0x0a };
        var before = gateway.Upstream.Requests.Count;
        var request = new HttpRequestMessage(HttpMethod.Post, $"{PlayReadyRights}?ExpressPlayToken={token}")
        {
            Content = new ByteArrayContent(challenge),
        };
        request.Content.Headers.ContentType = new("application/octet-stream");

        await IssuedAsync(await gateway.Client.SendAsync(request));

        Assert.Contains(gateway.Upstream.Requests.Skip(before), r => r.Challenge.SequenceEqual(challenge));
    }

    [Fact]
    public async Task A_SOAP_challenge_carrying_its_token_in_CustomData_is_forwarded_whole()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.PlayReady);
        var soap = $"""<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><AcquireLicense xmlns="http://schemas.microsoft.com/DRM/2007/03/protocols"><challenge><Challenge><LA><Nonce>{Guid.NewGuid()}</Nonce><CustomData>ExpressPlayToken={token}</CustomData></LA></Challenge></challenge></AcquireLicense></soap:Body></soap:Envelope>""";
        var request = new HttpRequestMessage(HttpMethod.Post, PlayReadyRights) { Content = new StringContent(soap, Encoding.UTF8, "text/xml") };

        await IssuedAsync(await gateway.Client.SendAsync(request));

        var seen = gateway.Upstream.Find(soap);
        Assert.NotNull(seen);
        Assert.Contains(TokenId(gateway, token), seen.PolicyJson);
    }

    [Fact]
    public async Task A_bad_token_never_reaches_the_upstream()
    {
        var challenge = "<challenge>" + Guid.NewGuid() + "</challenge>";

        await RefusedAsync(await PostAsync(gateway, PlayReadyRights, "AAAA", challenge, "text/xml"), "malformed");

        Assert.Null(gateway.Upstream.Find(challenge));
    }
}
