using System.Net;
using System.Text.Json;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8, the Clear Key issuer (W3C EME): <c>/hms/ck/token</c> mints with the Widevine parameters and
/// answers the <c>/hms/ck/rights</c> URL; a POST of <c>{"kids":[…],"type":"temporary"}</c> answers 200
/// <c>application/json</c> <c>{"keys":[{"kty":"oct","kid","k"}],"type":"temporary"}</c> for the token's KIDs among
/// those asked (others left out), base64url without padding; a GET (nothing to post) answers all the token's keys; a
/// challenge that does not parse is 400 -7008. Clear Key also serves the Widevine rights URL here.
/// </summary>
[Collection(RedemptionCollection.Name)]
public sealed class ClearKeyTests(RedemptionGateway gateway)
{
    private const string Kid1 = "11111111111111111111111111111111";
    private const string Key1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Kid2 = "22222222222222222222222222222222";
    private const string Key2 = "fbfbfbfbfbfbfbfbfbfbfbfbfbfbfbfb";
    private const string Unknown = "99999999999999999999999999999999";

    private static readonly Dictionary<string, string> Keys = new()
    {
        [ValidRequests.Kid] = ValidRequests.ContentKey,
        [Kid1] = Key1,
        [Kid2] = Key2,
    };

    [Fact]
    public async Task The_Clear_Key_mint_answers_the_Clear_Key_rights_URL_of_a_token()
    {
        var customer = await gateway.CreateCustomerAsync();
        var before = await customer.ProductionBalanceAsync();

        var token = await MintClearKeyAsync(gateway, Widevine(customer.Authenticator));

        Assert.Equal(before - 1, await customer.ProductionBalanceAsync());
        var keys = await LicenseAsync(await ClearKeyAsync(gateway, ClearKeyRights, token));
        Assert.Equal(new[] { ValidRequests.Kid }, keys.Keys.ToArray());
    }

    [Fact]
    public async Task A_POST_answers_only_the_asked_KIDs_the_token_carries()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintClearKeyAsync(gateway, ThreeKeys(customer));

        var one = await LicenseAsync(await ClearKeyAsync(gateway, ClearKeyRights, token, ClearKeyBody(Kid1)));
        Assert.Equal(new Dictionary<string, string> { [Kid1] = Key1 }, one);

        var two = await LicenseAsync(await ClearKeyAsync(gateway, ClearKeyRights, token, ClearKeyBody(Kid2, Unknown, ValidRequests.Kid)));
        Assert.Equal(new Dictionary<string, string> { [Kid2] = Key2, [ValidRequests.Kid] = ValidRequests.ContentKey }, two);

        var none = await LicenseAsync(await ClearKeyAsync(gateway, ClearKeyRights, token, ClearKeyBody(Unknown)));
        Assert.Empty(none);
    }

    [Fact]
    public async Task A_GET_answers_every_key_of_the_token()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintClearKeyAsync(gateway, ThreeKeys(customer));

        var keys = await LicenseAsync(await gateway.Client.GetAsync($"{ClearKeyRights}?ExpressPlayToken={token}"));

        Assert.Equal(Keys, keys);
    }

    [Fact]
    public async Task Clear_Key_serves_the_Widevine_rights_URL_with_the_same_answer()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine);

        var keys = await LicenseAsync(await ClearKeyAsync(gateway, WidevineRights, token, ClearKeyBody(ValidRequests.Kid, Unknown)));

        Assert.Equal(new Dictionary<string, string> { [ValidRequests.Kid] = ValidRequests.ContentKey }, keys);
    }

    [Fact]
    public async Task A_GET_of_the_Widevine_rights_URL_served_by_Clear_Key_answers_the_tokens_key()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.Widevine);

        var keys = await LicenseAsync(await gateway.Client.GetAsync($"{WidevineRights}?ExpressPlayToken={token}"));

        Assert.Equal(new Dictionary<string, string> { [ValidRequests.Kid] = ValidRequests.ContentKey }, keys);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Clear_Key_endpoints_answer_other_methods_405(string method)
    {
        foreach (var path in new[] { ClearKeyMint, ClearKeyRights })
            await Expect.PlainRefusalAsync(await gateway.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), 405);
    }

    [Fact]
    public async Task A_bad_challenge_is_not_reflected_raw_in_the_error()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintClearKeyAsync(gateway, Widevine(customer.Authenticator));

        var response = await ClearKeyAsync(gateway, ClearKeyRights, token, "{\"kids\":[\"<script>alert(1)</script>\"],\"type\":\"temporary\"}");

        var error = await ErrorAsync(response, HttpStatusCode.BadRequest, -7008);
        Assert.DoesNotContain("<script>", error.Body);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"kids\":\"not an array\",\"type\":\"temporary\"}")]
    [InlineData("{\"kids\":[\"***\"],\"type\":\"temporary\"}")]
    public async Task A_challenge_that_does_not_parse_is_400_7008(string body)
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintClearKeyAsync(gateway, Widevine(customer.Authenticator));

        var response = await ClearKeyAsync(gateway, ClearKeyRights, token, body);

        var error = await ErrorAsync(response, HttpStatusCode.BadRequest, -7008);
        Assert.DoesNotContain(ValidRequests.ContentKey, error.Body, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Section 8: a challenge the issuer cannot parse is 400 -7008 "with details": what is wrong, never the input.</summary>
    [Fact]
    public async Task A_challenge_that_does_not_parse_says_what_is_wrong()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintClearKeyAsync(gateway, Widevine(customer.Authenticator));

        var response = await ClearKeyAsync(gateway, ClearKeyRights, token + "&errorFormat=json", "{\"kids\":[\"AAAA\"],\"type\":\"temporary\"}");

        var error = await ErrorAsync(response, HttpStatusCode.BadRequest, -7008);
        Assert.StartsWith("Failed to generate license: ", error.Text);
        Assert.True(error.Text!.Length > "Failed to generate license: ".Length, error.Body);
        Assert.DoesNotContain("AAAA", error.Text);
    }

    [Fact]
    public async Task A_tampered_Clear_Key_token_is_400_4010_and_answers_no_key()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintClearKeyAsync(gateway, Widevine(customer.Authenticator));
        var tampered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

        var response = await ClearKeyAsync(gateway, ClearKeyRights, tampered);

        await ErrorAsync(response, HttpStatusCode.BadRequest, -4010);
    }

    [Fact]
    public async Task A_Widevine_token_is_the_wrong_DRM_at_the_Clear_Key_rights_URL()
    {
        var customer = await gateway.CreateCustomerAsync();
        var clearKey = await MintClearKeyAsync(gateway, Widevine(customer.Authenticator));
        var widevine = await MintAsync(gateway, customer, Drm.Widevine);

        await RefusedAsync(await ClearKeyAsync(gateway, ClearKeyRights, widevine), "wrong DRM");
        await RefusedAsync(await ClearKeyAsync(gateway, WidevineRights, clearKey), "wrong DRM");
    }

    private static Params ThreeKeys(TestCustomer customer)
    {
        var request = Widevine(customer.Authenticator).Without("kid").Without("contentKey");
        var index = 0;
        foreach (var (kid, key) in Keys) request.Set($"kid.{index}", kid).Set($"contentKey.{index++}", key);
        return request;
    }

    /// <summary>Section 8's Clear Key answer, checked in shape; its keys as KID hex → key hex.</summary>
    private static async Task<Dictionary<string, string>> LicenseAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("temporary", json.RootElement.GetProperty("type").GetString());
        var keys = new Dictionary<string, string>();
        foreach (var key in json.RootElement.GetProperty("keys").EnumerateArray())
        {
            Assert.Equal("oct", key.GetProperty("kty").GetString());
            var kid = key.GetProperty("kid").GetString()!;
            var k = key.GetProperty("k").GetString()!;
            Assert.Matches("^[A-Za-z0-9_-]{22}$", kid);
            Assert.Matches("^[A-Za-z0-9_-]{22}$", k);
            keys.Add(Convert.ToHexStringLower(FromBase64Url(kid)), Convert.ToHexStringLower(FromBase64Url(k)));
        }
        return keys;
    }

    private static byte[] FromBase64Url(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }
}
