using System.Net;
using Orleans.Tokens.Tests.Contract;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// The rights URLs of section 8 are called by players in web pages (EME): a CORS preflight (OPTIONS with
/// <c>Origin</c> and <c>Access-Control-Request-Method</c>) is answered 204 with <c>Access-Control-Allow-Origin</c>,
/// and the license answer itself carries it. (The contract names no CORS rule; this is the README's decision,
/// <c>Redemption:CorsOrigins</c> unset = any origin.)
/// </summary>
[Collection(RedemptionCollection.Name)]
public sealed class CorsTests(RedemptionGateway gateway)
{
    private const string Origin = "https://player.example";

    [Theory]
    [InlineData(WidevineRights)]
    [InlineData(PlayReadyRights)]
    [InlineData(ClearKeyRights)]
    public async Task A_preflight_on_a_rights_URL_is_204_with_the_allowed_origin(string path)
    {
        var response = await PreflightAsync(path + "?ExpressPlayToken=x", "content-type");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins), "no Access-Control-Allow-Origin");
        Assert.Contains(origins.Single(), new[] { Origin, "*" });
        Assert.True(response.Headers.TryGetValues("Access-Control-Allow-Methods", out var methods), "no Access-Control-Allow-Methods");
        Assert.Contains("POST", string.Join(",", methods), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_preflight_allows_the_ExpressPlayToken_header_in_which_section_8_lets_a_player_send_the_token()
    {
        var response = await PreflightAsync(WidevineRights, "content-type,expressplaytoken");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("Access-Control-Allow-Headers", out var headers), "no Access-Control-Allow-Headers");
        var allowed = string.Join(",", headers);
        Assert.True(allowed == "*" || allowed.Contains("ExpressPlayToken", StringComparison.OrdinalIgnoreCase), $"allowed headers: {allowed}");
    }

    [Fact]
    public async Task A_license_answered_to_a_page_carries_the_allowed_origin()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine);
        var request = new HttpRequestMessage(HttpMethod.Post, $"{WidevineRights}?ExpressPlayToken={token}")
        {
            Content = new StringContent(ClearKeyBody(ValidRequests.Kid), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Origin", Origin);

        var response = await gateway.Client.SendAsync(request);

        await IssuedAsync(response);
        Assert.True(response.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins), "no Access-Control-Allow-Origin");
        Assert.Contains(origins.Single(), new[] { Origin, "*" });
    }

    [Fact]
    public async Task A_refusal_answered_to_a_page_carries_the_allowed_origin_so_the_player_can_read_it()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{WidevineRights}?ExpressPlayToken=bad")
        {
            Content = new StringContent(ClearKeyBody(ValidRequests.Kid), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Origin", Origin);

        var response = await gateway.Client.SendAsync(request);

        await RefusedAsync(response, "malformed");
        Assert.True(response.Headers.Contains("Access-Control-Allow-Origin"), "no Access-Control-Allow-Origin");
    }

    /// <summary>A browser's preflight of a POST from <see cref="Origin"/> with <paramref name="headers"/>.</summary>
    private Task<HttpResponseMessage> PreflightAsync(string pathAndQuery, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, pathAndQuery);
        request.Headers.Add("Origin", Origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return gateway.Client.SendAsync(request);
    }
}
