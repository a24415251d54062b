using System.Net;
using System.Text.Json;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 13, FairPlay (<c>/hms/fp/token</c>), row by row: <c>kid</c> optional; the content key given,
/// wrapped (<c>kek</c>+<c>ek</c>) or the stored key of <c>kid</c> (also with <c>kek</c>); <c>iv</c> required (-6003);
/// <c>generalFlags</c> only bit 0x1 (-5003); <c>rentalDuration</c> ≥ 0 (-6007, FairPlay's text); <c>fpExtension</c>
/// as <c>wvExtension</c> (-6001); <c>deviceId</c> refused (-6008); the customer's FairPlay option (-6009). The success
/// answer is section 2's: <c>text/uri-list</c>, the FairPlay rights URL with the token, no line terminator; and
/// <c>/hms/fp/rights/</c> verifies the token. Every refusal debits nothing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class FairPlayParameterTests(GatewayFixture gateway)
{
    private const long Balance = 100;
    private const string Iv = "0f0e0d0c0b0a09080706050403020100";

    [Fact]
    public async Task A_valid_request_answers_the_FairPlay_rights_URL_and_the_token_carries_the_policy()
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request);

        Assert.Equal("fairplay", payload.Drm);
        Assert.Equal(ValidRequests.Kid, payload.Kid.Hex());
        Assert.Equal(ValidRequests.ContentKey, payload.ContentKey.Hex());
        Assert.Equal(Iv, payload.FairPlay!.Iv.Hex());
        Assert.Equal(0, payload.FairPlay.RentalDuration);
        Assert.Equal(0u, payload.FairPlay.GeneralFlags);
        Assert.Empty(payload.FairPlay.Extensions);
    }

    // ---- kid and the key ----

    [Fact]
    public async Task Kid_is_optional_when_the_content_key_is_given()
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Without("kid"));
        Assert.Equal("", payload.Kid.Hex());
        Assert.Equal(ValidRequests.ContentKey, payload.ContentKey.Hex());
    }

    [Fact]
    public async Task No_kid_and_no_key_is_4018()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Without("kid").Without("contentKey"), -4018);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_kid_alone_or_with_kek_uses_the_stored_key(bool withKek)
    {
        var (customer, request) = await Arrange();
        await customer.Grain.PutKey(Convert.FromHexString(ValidRequests.Kid), Convert.FromHexString("c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"));
        request.Without("contentKey");
        if (withKek) request.Set("kek", ValidRequests.Kek128);
        var payload = await Accepted(customer, request);
        Assert.Equal("c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0", payload.ContentKey.Hex());
    }

    /// <summary>
    /// Section 12: a key stored only wrapped under the customer's KEK (an SKM <c>ek</c> given without <c>kek</c>) is
    /// unwrapped with the mint's <c>kek</c>; a KEK that does not unwrap it is -4024, none at all -4019.
    /// </summary>
    [Fact]
    public async Task Kek_with_kid_unwraps_a_key_stored_only_wrapped_under_the_customers_kek()
    {
        var (customer, request) = await Arrange();
        using var body = new StringContent(
            $$"""{"kid":"{{ValidRequests.Kid}}","ek":"{{ValidRequests.Wrapped128}}","kekId":"customer-kek"}""",
            System.Text.Encoding.UTF8, "application/json");
        using var stored = await gateway.Client.PostAsync($"/keystore/keys?customerAuthenticator={customer.Authenticator}", body);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        request.Without("contentKey");

        await Refused(customer, request, -4019);
        await Refused(customer, request.Set("kek", "0f0e0d0c0b0a09080706050403020100"), -4024);
        var payload = await Accepted(customer, request.Set("kek", ValidRequests.Kek128));
        Assert.Equal(ValidRequests.KeyData.ToLowerInvariant(), payload.ContentKey.Hex());
    }

    [Fact]
    public async Task A_kid_alone_not_in_key_storage_is_4019()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Without("contentKey"), -4019);
    }

    [Fact]
    public async Task Kek_with_ek_unwraps_the_key()
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.WithWrappedKey());
        Assert.Equal(ValidRequests.KeyData.ToLowerInvariant(), payload.ContentKey.Hex());
    }

    [Theory]
    [InlineData("kek+contentKey", -5007)]
    [InlineData("kek alone", -2035)]
    [InlineData("ek alone", -2035)]
    [InlineData("bad ek", -4024)]
    [InlineData("bad kek", -4024)]
    [InlineData("bad contentKey", -2005)]
    [InlineData("short contentKey", -2027)]
    [InlineData("bad kid", -4022)]
    public async Task The_key_rows_refuse_as_section_13_says(string @case, int code)
    {
        var (customer, request) = await Arrange();
        _ = @case switch
        {
            "kek+contentKey" => request.Set("kek", ValidRequests.Kek128),
            "kek alone" => request.Without("kid").Without("contentKey").Set("kek", ValidRequests.Kek128),
            "ek alone" => request.Without("contentKey").Set("ek", ValidRequests.Wrapped128),
            "bad ek" => request.WithWrappedKey().Set("ek", ValidRequests.Wrapped192),
            "bad kek" => request.WithWrappedKey().Set("kek", "zz"),
            "bad contentKey" => request.Set("contentKey", "zz"),
            "short contentKey" => request.Set("contentKey", "abcd"),
            _ => request.Set("kid", "zz"),
        };
        await Refused(customer, request, code);
    }

    // ---- iv ----

    [Theory]
    [InlineData(null)]
    [InlineData("zz")]
    [InlineData("0f0e0d0c0b0a0908070605040302010")]
    [InlineData("0f0e0d0c0b0a090807060504030201000")]
    public async Task Iv_missing_or_not_32_hex_digits_is_6003(string? value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, value is null ? request.Without("iv") : request.Set("iv", value), -6003);
    }

    [Fact]
    public async Task Iv_repeated_is_6003()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Append("iv", Iv), -6003);
    }

    // ---- generalFlags ----

    [Theory]
    [InlineData("1", 1u)]
    [InlineData("00000000", 0u)]
    public async Task GeneralFlags_zero_or_persistent_is_carried(string value, uint flags)
    {
        var (customer, request) = await Arrange();
        Assert.Equal(flags, (await Accepted(customer, request.Set("generalFlags", value))).FairPlay!.GeneralFlags);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("80000000")]
    public async Task GeneralFlags_other_bits_are_5003(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("generalFlags", value), -5003);
    }

    // ---- rentalDuration ----

    [Theory]
    [InlineData("0", 0)]
    [InlineData("3600", 3600)]
    [InlineData("0000000000000000000000000000000000000086400", 86400)]
    public async Task RentalDuration_whole_seconds_from_0_is_carried(string value, long seconds)
    {
        var (customer, request) = await Arrange();
        Assert.Equal(seconds, (await Accepted(customer, request.Set("rentalDuration", value))).FairPlay!.RentalDuration);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("x")]
    [InlineData("+60")]
    [InlineData("99999999999999999999999999999999")]
    public async Task RentalDuration_other_is_6007_with_FairPlays_text(string value)
    {
        var (customer, request) = await Arrange();
        var response = await gateway.MintAsync(request.Set("rentalDuration", value));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Expect.Json, response.Content.Headers.ContentType?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(-6007, json.RootElement.GetProperty("errorCode").GetInt32());
        Assert.Equal("Invalid rental duration specified", json.RootElement.GetProperty("errorText").GetString());
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    // ---- fpExtension ----

    [Fact]
    public async Task FpExtension_up_to_four_are_carried()
    {
        var (customer, request) = await Arrange();
        request.Append("fpExtension", "abcd,AAAA").Append("fpExtension", "wxyz,SGVsbG8=");
        var payload = await Accepted(customer, request);
        Assert.Equal([new WvExtension("abcd", "AAAA"), new WvExtension("wxyz", "SGVsbG8=")], payload.FairPlay!.Extensions.ToArray());
    }

    [Theory]
    [InlineData("abcd")]
    [InlineData("abc,AAAA")]
    [InlineData("abcde,AAAA")]
    [InlineData("abcd,@@@@")]
    [InlineData("abcd,A")]
    [InlineData("abcd,{A*132}")]
    public async Task FpExtension_malformed_is_6001(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Append("fpExtension", RowValues.Resolve(value)), -6001);
    }

    [Fact]
    public async Task FpExtension_five_times_is_6001()
    {
        var (customer, request) = await Arrange();
        for (var i = 0; i < 5; i++) request.Append("fpExtension", "abcd,AAAA");
        await Refused(customer, request, -6001);
    }

    // ---- deviceId, the option, redemption ----

    [Fact]
    public async Task DeviceId_is_6008()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("deviceId", "00112233445566778899aabbccddeeff"), -6008);
    }

    [Fact]
    public async Task A_customer_without_the_FairPlay_option_is_6009()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance, fairPlay: false);
        await Refused(customer, Valid(customer), -6009);
        await customer.Grain.SetOptions(widevine: null, playReady: null, fairPlay: true);
        await Accepted(customer, Valid(customer));
    }

    [Fact]
    public async Task The_FairPlay_rights_URL_verifies_the_token_and_refuses_another_DRMs()
    {
        var (customer, request) = await Arrange();
        var token = await FairPlayToken(await gateway.MintAsync(request));

        var fairPlay = await gateway.Client.GetAsync($"/hms/fp/rights/?ExpressPlayToken={token}");
        var widevine = await gateway.Client.GetAsync($"/hms/wv/rights/?ExpressPlayToken={token}&errorFormat=json");
        var middle = token.Length / 2;
        var other = token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..];
        var changed = await gateway.Client.GetAsync($"/hms/fp/rights/?ExpressPlayToken={other}&errorFormat=json");

        Assert.Equal(HttpStatusCode.NotImplemented, fairPlay.StatusCode);
        foreach (var (response, details) in new[] { (widevine, "wrong DRM"), (changed, "authentication failed") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(-4010, json.RootElement.GetProperty("errorCode").GetInt32());
            Assert.Equal($"Invalid token: {details}", json.RootElement.GetProperty("errorText").GetString());
        }
    }

    // ---- helpers ----

    private static Params Valid(TestCustomer customer) => new()
    {
        { "customerAuthenticator", customer.Authenticator },
        { "errorFormat", "json" },
        { "kid", ValidRequests.Kid },
        { "contentKey", ValidRequests.ContentKey },
        { "iv", Iv },
    };

    private async Task<(TestCustomer Customer, Params Request)> Arrange()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        return (customer, Valid(customer));
    }

    private async Task Refused(TestCustomer customer, Params request, int code)
    {
        await Expect.ErrorAsync(await gateway.MintAsync(request), code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    private async Task<TokenPayload> Accepted(TestCustomer customer, Params request)
    {
        var token = await FairPlayToken(await gateway.MintAsync(request));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
        return gateway.OpenToken(token) ?? throw new Xunit.Sdk.XunitException("the token does not open with the gateway's token keys");
    }

    /// <summary>Section 2 for FairPlay: 200, <c>text/uri-list</c>, exactly <c>{PublicBaseUrl}/hms/fp/rights/?ExpressPlayToken={token}</c>.</summary>
    private static async Task<string> FairPlayToken(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Equal("text/uri-list", response.Content.Headers.ContentType?.ToString());
        const string prefix = GatewayFixture.PublicBaseUrl + "/hms/fp/rights/?ExpressPlayToken=";
        Assert.StartsWith(prefix, body);
        var token = body[prefix.Length..];
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        return token;
    }
}
